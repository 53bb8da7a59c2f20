// Package scaledata builds the data set of rolecall's scale benchmark
// through rolecall's own IAM domain and store (not the wire): accounts of
// roles, every role with an AWS managed policy and its account's customer
// managed policy attached. bench/dataset writes it into a data directory;
// bench/scale builds a one-account one to compare with.
//
// Accounts are 100000000001, 100000000002, ... (a request signed with an
// account ID as its access key and the secret "test" acts as that
// account's root), leaving rolecall's default account empty; roles are
// scale-role-0000, scale-role-0001, ... Each role trusts its account's
// root and ECS tasks. Writes go through the store's group commit from many
// goroutines at once, each fsynced as rolecall serve's are.
package scaledata

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rolecall/rolecall/internal/app"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
)

// AWSPolicy is the AWS managed policy every role has attached.
const AWSPolicy = "arn:aws:iam::aws:policy/ReadOnlyAccess"

// LocalPolicy is the name of each account's customer managed policy.
const LocalPolicy = "scale-policy"

// Account is the n-th account of the data set (from 0).
func Account(n int) string {
	return fmt.Sprintf("1%011d", n+1)
}

// RoleName is the n-th role of an account (from 0).
func RoleName(n int) string { return fmt.Sprintf("scale-role-%04d", n) }

// TrustPolicy lets the account's root assume the role, and ECS tasks.
func TrustPolicy(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account +
		`:root","Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
}

const localDocument = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`

// Build writes the data set: accounts accounts of roles roles each, with
// workers writes in flight (the store commits them in groups), saying how
// far it got to progress every 50,000 roles. A role that exists already
// (a build that was interrupted, run again) is kept as it is.
func Build(dir string, accounts, roles, workers int, progress io.Writer) error {
	a, err := app.Open(app.Options{DataDir: dir, Version: "bench-dataset"})
	if err != nil {
		return err
	}
	defer a.Close()
	ctx := context.Background()
	if err := parallel(accounts, workers, func(i int) error { return policy(ctx, a.IAM, Account(i)) }); err != nil {
		return err
	}
	var done atomic.Int64
	var mu sync.Mutex
	last := time.Now()
	err = parallel(accounts*roles, workers, func(i int) error {
		if err := role(ctx, a.IAM, Account(i/roles), i%roles); err != nil {
			return err
		}
		if d := done.Add(1); d%50000 == 0 {
			mu.Lock()
			fmt.Fprintf(progress, "%d roles (%.0f/s)\n", d, 50000/time.Since(last).Seconds())
			last = time.Now()
			mu.Unlock()
		}
		return nil
	})
	return err
}

// parallel calls fn(0), ..., fn(n-1) from workers goroutines, in about
// that order, until one fails, and answers the first error.
func parallel(n, workers int, fn func(int) error) error {
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for failed.Load() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if p := failed.Load(); p != nil {
		return *p
	}
	return nil
}

// policy creates the account's customer managed policy.
func policy(ctx context.Context, svc *iam.Service, account string) error {
	_, err := svc.CreatePolicy(ctx, account, iam.CreatePolicyInput{PolicyName: LocalPolicy, PolicyDocument: localDocument})
	if awserr.Code(err) == "EntityAlreadyExists" {
		return nil
	}
	return err
}

// role creates the n-th role of account with both policies attached.
func role(ctx context.Context, svc *iam.Service, account string, n int) error {
	name := RoleName(n)
	_, err := svc.CreateRole(ctx, account, iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: TrustPolicy(account)})
	if awserr.Code(err) == "EntityAlreadyExists" {
		return nil
	}
	for _, p := range []string{AWSPolicy, "arn:aws:iam::" + account + ":policy/" + LocalPolicy} {
		if err == nil {
			err = svc.AttachRolePolicy(ctx, account, name, p)
		}
	}
	if err != nil {
		return fmt.Errorf("account %s, role %s: %w", account, name, err)
	}
	return nil
}
