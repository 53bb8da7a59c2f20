package integration

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ListServicesByNamespace lists the services, of any cluster of the
// Region, that use Service Connect in a namespace: the one their
// configuration names, or their cluster's default; by the namespace's
// name or ARN.
func TestECSListServicesByNamespace(t *testing.T) {
	e := newECSEnv(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("a"),
		ServiceConnectDefaults: &ecstypes.ClusterServiceConnectDefaultsRequest{Namespace: aws.String("shop")}}))(t)
	must(e.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("b")}))(t)
	fargateTaskDef(t, e.ecs, "web")
	service := func(cluster, name string, sc *ecstypes.ServiceConnectConfiguration) string {
		out := must(e.ecs.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(cluster), ServiceName: aws.String(name), TaskDefinition: aws.String("web"),
			DesiredCount: aws.Int32(0), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpcNet, ServiceConnectConfiguration: sc}))(t)
		return aws.ToString(out.Service.ServiceArn)
	}
	cart := service("a", "cart", &ecstypes.ServiceConnectConfiguration{Enabled: true}) // the cluster's default
	pay := service("b", "pay", &ecstypes.ServiceConnectConfiguration{Enabled: true, Namespace: aws.String("arn:aws:servicediscovery:us-east-1:" + account + ":namespace/shop")})
	service("b", "off", &ecstypes.ServiceConnectConfiguration{Enabled: false, Namespace: aws.String("shop")})
	service("b", "plain", nil)
	other := service("b", "admin", &ecstypes.ServiceConnectConfiguration{Enabled: true, Namespace: aws.String("internal")})

	list := func(ns string) []string {
		return must(e.ecs.ListServicesByNamespace(ctx, &ecs.ListServicesByNamespaceInput{Namespace: aws.String(ns)}))(t).ServiceArns
	}
	if got, want := list("shop"), []string{cart, pay}; !slices.Equal(got, want) {
		t.Errorf("namespace shop: %v, want %v", got, want)
	}
	if got := list("arn:aws:servicediscovery:us-east-1:" + account + ":namespace/internal"); !slices.Equal(got, []string{other}) {
		t.Errorf("namespace internal by ARN: %v", got)
	}
	if got := list("none"); len(got) != 0 {
		t.Errorf("namespace none: %v", got)
	}
	// Moved out of the namespace by UpdateService.
	must(e.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("b"), Service: aws.String("pay"),
		ServiceConnectConfiguration: &ecstypes.ServiceConnectConfiguration{Enabled: false}}))(t)
	if got := list("shop"); !slices.Equal(got, []string{cart}) {
		t.Errorf("namespace shop after the update: %v", got)
	}
}
