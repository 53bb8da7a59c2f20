package appautoscaling

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// targetRef is a scalable target as a request names it: a service
// namespace, a resource ID and a scalable dimension.
type targetRef struct {
	Namespace, ResourceID, Dimension string // as the request gives them
	// key identifies the target however its resource ID is spelled: for
	// an ECS service, "ecs/ecs:service:DesiredCount/service/CLUSTER/NAME".
	key string
	// ecs: the target is an ECS service's desired count (what rolecall
	// serves), the service Cluster/Service.
	ecs              bool
	cluster, service string
}

// refOf reads a request's target. An ECS service is named
// "service/CLUSTER/SERVICE" (RegisterScalableTarget reference), or with
// the cluster's ARN in place of its name, which AWS accepts too (aws/
// aws-cdk #14297: CDK wrote service/arn:aws:ecs:REGION:ACCOUNT:cluster/
// NAME/SERVICE, and the target was registered); rolecall takes both for
// the same target, so that a spelling cannot reach a target apart from
// the one its policies name. A cluster ARN of another account or Region
// names no cluster of the Call's: the target's service then does not
// exist.
func refOf(c Call, namespace, resourceID, dimension string) targetRef {
	r := targetRef{Namespace: namespace, ResourceID: resourceID, Dimension: dimension}
	r.key = namespace + "/" + dimension + "/" + resourceID
	if namespace != NamespaceECS || dimension != DimensionECS {
		return r
	}
	cluster, service, ok := parseServiceID(c, resourceID)
	if !ok {
		return r
	}
	r.ecs, r.cluster, r.service = true, cluster, service
	r.key = namespace + "/" + dimension + "/service/" + cluster + "/" + service
	return r
}

// parseServiceID reads an ECS service's resource ID: its cluster (a name,
// or the ARN of a cluster not of the Call's account and Region) and the
// service's name.
func parseServiceID(c Call, id string) (cluster, service string, ok bool) {
	rest, ok := strings.CutPrefix(id, "service/")
	if !ok {
		return "", "", false
	}
	if strings.HasPrefix(rest, "arn:") {
		i := strings.LastIndexByte(rest, '/')
		if i < 0 {
			return "", "", false
		}
		clusterARN, service := rest[:i], rest[i+1:]
		cluster, own := strings.CutPrefix(clusterARN, "arn:aws:ecs:"+c.Region+":"+c.Account+":cluster/")
		if !own {
			_, other, isCluster := strings.Cut(clusterARN, ":cluster/")
			if !isCluster || !validName(other) || !validName(service) {
				return "", "", false
			}
			return clusterARN, service, true
		}
		return cluster, service, validName(cluster) && validName(service)
	}
	cluster, service, ok = strings.Cut(rest, "/")
	return cluster, service, ok && validName(cluster) && validName(service)
}

// validName: an ECS cluster's or service's name, "up to 255 letters
// (uppercase and lowercase), numbers, underscores, and hyphens"
// (CreateCluster and CreateService references).
func validName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '-', b == '_':
		default:
			return false
		}
	}
	return true
}

// canonicalID is the resource ID the target is kept under: for an ECS
// service, service/CLUSTER/NAME with the cluster by name.
func (r targetRef) canonicalID() string {
	if r.ecs {
		return "service/" + r.cluster + "/" + r.service
	}
	return r.ResourceID
}

// storeKey is the target's key in bucketTargets.
func (r targetRef) storeKey(c Call) string { return regionKey(c) + r.key }

// arn is the ARN the target has, or would have once registered:
// arn:aws:application-autoscaling:REGION:ACCOUNT:scalable-target/ID, ID 36
// lower-case hex digits as AWS's are (RegisterScalableTarget reference:
// "scalable-target/1234abcd56ab78cd901ef1234567890ab123"). AWS does not
// say how it makes the ID of a target it is about to register, yet
// authorizes RegisterScalableTarget on a scalable-target ARN (cloud-
// custodian #9409); rolecall derives the ID from what the target is, so
// that the ARN authorized is the ARN registered (and the ARN of a target
// registered again after it was deregistered).
func (r targetRef) arn(c Call) string {
	sum := sha256.Sum256([]byte(r.storeKey(c)))
	return "arn:aws:application-autoscaling:" + c.Region + ":" + c.Account + ":scalable-target/" + hex.EncodeToString(sum[:18])
}

// consistent reports whether the namespace, resource ID and dimension go
// together: the dimension is the namespace's, and an ECS service's
// resource ID names a service. rolecall cannot tell the other namespaces'
// resource IDs apart; it serves none of them.
func (r targetRef) consistent() bool {
	if !strings.HasPrefix(r.Dimension, r.Namespace+":") {
		return false
	}
	return r.Namespace != NamespaceECS || r.ecs
}
