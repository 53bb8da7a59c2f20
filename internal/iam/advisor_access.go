package iam

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/arn"
	"github.com/rolecall/rolecall/internal/catalog"
	"github.com/rolecall/rolecall/internal/catalog/actions"
	"github.com/rolecall/rolecall/internal/store"
)

// Last-accessed data: when each role and user last used each service (and
// each tracked action), from which Region. Access Advisor reports are built
// from it (advisor.go).
//
// The enforcement layer records every authorized request of a principal
// here, so recording sits on the request path and is kept cheap: AWS
// reports these times to the minute (botocore's
// GetServiceLastAccessedDetails example answers "2018-10-24T19:11:00Z"; the
// answer recorded in bridgecrewio/AirIAM's tests has whole minutes only),
// so a record is written at most once per entity, service (or action) and
// minute. A call whose minute is already stored costs one read-only
// transaction and writes nothing.

const bucketLastAccessed = "iam-last-accessed" // "<account>/<kind>/<lower-case name>\x00<service>[\x00<Action>]"

// accessKind is the entity kinds Access Advisor reports on.
const (
	accessRole = "role"
	accessUser = "user"
)

func accessPrefix(account, kind, name string) string {
	return account + "/" + kind + "/" + strings.ToLower(name) + "\x00"
}

// RecordServiceAccess notes that the entity entityArn (in account) used a
// service (its namespace, "s3") from region at time at, and, when action is
// given ("s3:CreateBucket" or "CreateBucket"), that action if Access
// Advisor tracks the service's actions (TrackedService). entityArn is a
// role ARN, a role session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>,
// recorded for its role) or a user ARN; other principals (the root user,
// federated users) are not IAM entities and are not recorded. The role or
// user need not exist: the enforcement layer has already resolved it.
//
// Times are kept to the minute and only move forward; within a minute the
// first call's Region stands.
func (s *Service) RecordServiceAccess(ctx context.Context, account, entityArn, service, action, region string, at time.Time) error {
	kind, name, err := accessEntity(entityArn)
	if err != nil || kind == "" {
		return err
	}
	return s.recordAccess(ctx, account, kind, name, service, action, region, at)
}

// accessEntity reads the kind and name of the entity an ARN names; kind is
// empty for principals Access Advisor does not report on.
func accessEntity(entityArn string) (kind, name string, err error) {
	a, perr := arn.Parse(entityArn)
	if perr != nil {
		return "", "", errors.New("iam: not an entity ARN: " + entityArn)
	}
	switch {
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/"):
		kind = accessRole
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "user/"):
		kind = accessUser
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/"):
		role, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, "assumed-role/"), "/")
		return accessRole, role, nil
	default:
		return "", "", nil
	}
	rest := a.Resource[strings.IndexByte(a.Resource, '/'):]
	name = rest[strings.LastIndexByte(rest, '/')+1:]
	if name == "" {
		return "", "", errors.New("iam: not an entity ARN: " + entityArn)
	}
	return kind, name, nil
}

func (s *Service) recordAccess(ctx context.Context, account, kind, name, service, action, region string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	service = strings.ToLower(service)
	if account == "" || name == "" || service == "" {
		return errors.New("iam: account, entity and service required")
	}
	mark := lastUsed{Date: at.UTC().Truncate(time.Minute), Region: region}
	prefix := accessPrefix(account, kind, name)
	keys := []string{prefix + service}
	if action != "" && TrackedService(service) {
		if _, a, ok := strings.Cut(action, ":"); ok {
			action = a // "s3:CreateBucket" names the action CreateBucket
		}
		if ai, ok := actions.Action(service, action); ok {
			keys = append(keys, prefix+service+"\x00"+ai.Name)
		}
	}
	// stale lists the keys whose stored minute is older than mark's.
	stale := func(tx store.Tx) ([]string, error) {
		var out []string
		for _, k := range keys {
			var cur lastUsed
			ok, err := getJSON(tx, bucketLastAccessed, k, &cur)
			if err != nil {
				return nil, err
			}
			if !ok || cur.Date.Before(mark.Date) {
				out = append(out, k)
			}
		}
		return out, nil
	}
	var todo []string
	err := s.st.View(func(tx store.Tx) error {
		var err error
		todo, err = stale(tx)
		return err
	})
	if err != nil || len(todo) == 0 {
		return err
	}
	return s.st.Update(func(tx store.Tx) error {
		todo, err := stale(tx) // again: another request may have written meanwhile
		if err != nil {
			return err
		}
		for _, k := range todo {
			if err := putJSON(tx, bucketLastAccessed, k, &mark); err != nil {
				return err
			}
		}
		return nil
	})
}

// linkedNamespace is the service namespace of a linked service's principal:
// "ecs" for ecs.amazonaws.com, "application-autoscaling" for
// ecs.application-autoscaling.amazonaws.com (the service that acts); ""
// when the reference knows no such namespace.
func linkedNamespace(principal string) string {
	host := strings.TrimSuffix(principal, ".amazonaws.com")
	for _, ns := range []string{host, host[strings.LastIndexByte(host, '.')+1:]} {
		if _, ok := actions.Service(ns); ok {
			return ns
		}
	}
	return ""
}

// recordLinkedServiceAccess records that a linked service used its
// service-linked role: the service's own namespace, from region. It shows
// in the role's Access Advisor report when the role's policy allows that
// service; the calls a service makes to other services through the role
// are recorded by whoever makes them (RecordServiceAccess).
func (s *Service) recordLinkedServiceAccess(ctx context.Context, account string, ls *catalog.LinkedService, region string, at time.Time) error {
	ns := linkedNamespace(ls.Principal)
	if ns == "" {
		return nil
	}
	return s.recordAccess(ctx, account, accessRole, ls.RoleName, ns, "", region, at)
}

// accessRecords are one entity's last-accessed records: by service
// namespace, and by "service\x00Action" for tracked actions.
type accessRecords map[string]lastUsed

func loadAccess(tx store.Tx, account, kind, name string) (accessRecords, error) {
	out := accessRecords{}
	prefix := accessPrefix(account, kind, name)
	var bad error
	err := tx.Scan(bucketLastAccessed, prefix, "", func(k string, v []byte) bool {
		var m lastUsed
		if bad = unmarshal(v, &m); bad != nil {
			return false
		}
		out[k[len(prefix):]] = m
		return true
	})
	if bad != nil {
		return nil, bad
	}
	return out, err
}
