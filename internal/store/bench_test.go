package store

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
)

const benchKeys = 10000

var benchValue = bytes.Repeat([]byte("x"), 512) // about a role record

func benchBolt(b *testing.B) *Bolt {
	b.Helper()
	s, err := OpenBolt(filepath.Join(b.TempDir(), "state.db"), BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func fill(b *testing.B, s Store) {
	b.Helper()
	if err := s.Update(func(tx Tx) error {
		for i := range benchKeys {
			if err := tx.Put("roles", fmt.Sprintf("role/%05d", i), benchValue); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
}

func benchGet(b *testing.B, s Store) {
	fill(b, s)
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = fmt.Sprintf("role/%05d", i*7919%benchKeys) // scattered
	}
	i := 0
	for b.Loop() {
		err := s.View(func(tx Tx) error {
			if _, ok := tx.Get("roles", keys[i%benchKeys]); !ok {
				return fmt.Errorf("missing %s", keys[i%benchKeys])
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkBoltGet is one View with one Get, as a read request does.
func BenchmarkBoltGet(b *testing.B) { benchGet(b, benchBolt(b)) }

func BenchmarkMemoryGet(b *testing.B) { benchGet(b, NewMemory()) }

// BenchmarkBoltUpdate is one Update after another: each pays a full fsync.
func BenchmarkBoltUpdate(b *testing.B) {
	s := benchBolt(b)
	i := 0
	for b.Loop() {
		key := fmt.Sprintf("role/%08d", i)
		if err := s.Update(func(tx Tx) error { return tx.Put("roles", key, benchValue) }); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/float64(s.commits.Load()), "updates/commit")
}

// BenchmarkBoltUpdateParallel runs Updates from many goroutines: they share
// commits, which updates/commit shows.
func BenchmarkBoltUpdateParallel(b *testing.B) {
	s := benchBolt(b)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("role/%08d", n.Add(1))
			if err := s.Update(func(tx Tx) error { return tx.Put("roles", key, benchValue) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/float64(s.commits.Load()), "updates/commit")
}
