package imds

import (
	"context"
	"net"

	"github.com/rolecall/rolecall/internal/instances"
)

// Launch launches instances (instances.Service.Run) with their metadata
// services listening, whoever asks (EC2's RunInstances, rolecall's
// launch endpoint): a port is opened for each before the instances are
// kept, so that no instance is ever without its port, and closed again
// when the launch fails.
func (s *Server) Launch(ctx context.Context, c instances.Call, in instances.RunInput) (*instances.Reservation, error) {
	var lns []net.Listener
	closeAll := func() {
		for _, ln := range lns {
			ln.Close()
		}
	}
	in.MetadataPorts = nil
	if !in.DryRun {
		for range min(in.MaxCount, instances.InstanceLimit) {
			ln, err := Listen(0)
			if err != nil {
				closeAll()
				return nil, err
			}
			lns = append(lns, ln)
			in.MetadataPorts = append(in.MetadataPorts, Port(ln))
		}
	}
	res, err := s.instances.Run(ctx, c, in)
	if err != nil {
		closeAll()
		return nil, err
	}
	for i, inst := range res.Instances {
		s.Serve(inst, lns[i])
	}
	for _, ln := range lns[len(res.Instances):] {
		ln.Close() // fewer launched than MaxCount: the instance limit
	}
	return res, nil
}

// Terminate terminates instances (instances.Service.TerminateInstances)
// and stops their metadata services at once.
func (s *Server) Terminate(ctx context.Context, c instances.Call, ids []string, dryRun bool) ([]instances.StateChange, error) {
	changes, err := s.instances.TerminateInstances(ctx, c, ids, dryRun)
	if err != nil {
		return nil, err
	}
	for _, ch := range changes {
		s.Close(ch.InstanceId)
	}
	return changes, nil
}
