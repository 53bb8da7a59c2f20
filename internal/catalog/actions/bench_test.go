package actions

import (
	"runtime"
	"testing"
)

// BenchmarkFirstLoad is what the first call of any function pays: reading
// the index (service names, global keys), nothing else.
func BenchmarkFirstLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := open(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFirstAction is a cold start up to the first action lookup:
// index plus one service decoded.
func BenchmarkFirstAction(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		c, err := open(data)
		if err != nil {
			b.Fatal(err)
		}
		d := c.service("iam").get()
		if _, ok := search(len(d.actions), func(i int) string { return d.actions[i].Name }, "PassRole"); !ok {
			b.Fatal("no iam:PassRole")
		}
	}
}

func BenchmarkDecodeService(b *testing.B) {
	c, err := open(data)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []string{"iam", "sts", "ecs", "ec2"} {
		s := c.service(p)
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.decode()
			}
		})
	}
}

// BenchmarkAction is the authorizer's per-request lookup once warm.
func BenchmarkAction(b *testing.B) {
	Action("iam", "PassRole")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Action("iam", "passrole"); !ok {
			b.Fatal("no iam:PassRole")
		}
	}
}

func BenchmarkMatchActions(b *testing.B) {
	for _, p := range []string{"iam:Get*", "ecs:*"} {
		MatchActions(p)
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				MatchActions(p)
			}
		})
	}
}

func BenchmarkMatchResourceType(b *testing.B) {
	a, _ := Lookup("ecs:TagResource")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := a.MatchResourceType("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"); !ok {
			b.Fatal("no match")
		}
	}
}

// BenchmarkHeap reports the resident heap of the index alone and of every
// service decoded and kept (the worst case: something calls Action on
// every service).
func BenchmarkHeap(b *testing.B) {
	var index, all float64
	for b.Loop() {
		before := heap()
		c, err := open(data)
		if err != nil {
			b.Fatal(err)
		}
		mid := heap()
		for i := range c.services {
			c.services[i].get()
		}
		after := heap()
		runtime.KeepAlive(c)
		index, all = float64(mid-before), float64(after-before)
	}
	b.ReportMetric(index/1024, "KiB-index")
	b.ReportMetric(all/(1<<20), "MiB-all-services")
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
