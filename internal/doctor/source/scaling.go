package source

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/internal/doctor"
)

// ErrNotServed: the endpoint does not serve Application Auto Scaling.
// rolecall itself does not (it answers a request signed for
// application-autoscaling with UnknownOperationException, or UnknownService
// without X-Amz-Target), so against rolecall service auto scaling can only
// come from files.
var ErrNotServed = errors.New("the endpoint does not serve Application Auto Scaling")

// ScalingSource is what ReadScalableTargets gives a target as its Source.
const ScalingSource = "application-autoscaling"

// targetBatch: DescribeScalableTargets returns at most 50 targets a page
// (MaxResults 1-50); asking for as many resources as one page holds keeps
// each call's list small whatever the model allows.
const targetBatch = 50

// ReadScalableTargets reads the scalable targets of the services (ECS
// service auto scaling: ServiceNamespace ecs, ResourceId
// service/CLUSTER/SERVICE) with DescribeScalableTargets, a read. A service
// that does not scale has none. An endpoint that does not serve Application
// Auto Scaling gives an error that is ErrNotServed.
func (l *Live) ReadScalableTargets(ctx context.Context, services []*doctor.Service) ([]*doctor.ScalableTarget, error) {
	var ids []string
	seen := map[string]bool{}
	for _, s := range services {
		id := "service/" + s.ClusterName() + "/" + s.ServiceName
		if s.ServiceName != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	var out []*doctor.ScalableTarget
	for i := 0; i < len(ids); i += targetBatch {
		p := applicationautoscaling.NewDescribeScalableTargetsPaginator(l.Scaling, &applicationautoscaling.DescribeScalableTargetsInput{
			ServiceNamespace: aastypes.ServiceNamespaceEcs,
			ResourceIds:      ids[i:min(i+targetBatch, len(ids))],
		})
		for p.HasMorePages() {
			pg, err := p.NextPage(ctx)
			if err != nil {
				if notServed(err) {
					return nil, fmt.Errorf("application-autoscaling DescribeScalableTargets: %w: %w", ErrNotServed, err)
				}
				return nil, fmt.Errorf("application-autoscaling DescribeScalableTargets: %w", err)
			}
			for _, t := range pg.ScalableTargets {
				out = append(out, &doctor.ScalableTarget{
					ServiceNamespace: string(t.ServiceNamespace), ResourceId: aws.ToString(t.ResourceId),
					ScalableDimension: string(t.ScalableDimension), RoleARN: aws.ToString(t.RoleARN), Source: ScalingSource,
				})
			}
		}
	}
	return out, nil
}

// notServed: the answers of an endpoint that has no Application Auto
// Scaling (or EC2). Real AWS never gives these for DescribeScalableTargets
// or DescribeInstances.
func notServed(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "UnknownOperationException", "UnknownService":
		return true
	}
	return false
}
