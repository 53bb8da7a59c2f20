package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

// Issue 2's targets for rolecall.
const (
	targetRatio     = 50 // x moto's GetRole throughput
	targetP99ms     = 2  // GetRole p99 on loopback
	targetStartupMS = 50 // exec to first answered IAM request
	targetIdleKiB   = 30 << 10
)

// nullTarget names runs against -serve-null: the harness's ceiling, shown
// beside the table rather than as a column.
const nullTarget = "null"

// report prints the side-by-side table for a file of -json records. The
// first target named in the file is the subject (rolecall), the second the
// baseline (moto); either may be alone.
func report(path string, w io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := readRecords(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	writeReport(w, recs)
	return nil
}

func readRecords(r io.Reader) ([]record, error) {
	var out []record
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var rec record
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, rec)
	}
	return out, sc.Err()
}

// row is one line of the load table: an operation at a concurrency.
type row struct {
	op          string
	concurrency int
}

func (r row) String() string { return fmt.Sprintf("%s (c=%d)", r.op, r.concurrency) }

func writeReport(w io.Writer, recs []record) {
	var targets []string
	var rows []row
	load := map[row]map[string]record{} // by row, then target
	startup := map[string]record{}
	rss := map[[2]string]int64{} // target, phase
	ceiling := map[row]record{}
	for _, r := range recs {
		if r.Target == nullTarget {
			if r.Kind == "load" {
				ceiling[row{r.Op, r.Concurrency}] = r
			}
			continue
		}
		if !slices.Contains(targets, r.Target) {
			targets = append(targets, r.Target)
		}
		switch r.Kind {
		case "load":
			k := row{r.Op, r.Concurrency}
			if load[k] == nil {
				rows = append(rows, k)
				load[k] = map[string]record{}
			}
			load[k][r.Target] = r
		case "startup":
			startup[r.Target] = r
		case "rss":
			rss[[2]string{r.Target, r.Phase}] = r.RSSKiB
		}
	}
	if len(targets) == 0 {
		fmt.Fprintln(w, "no results")
		return
	}
	subject := targets[0]
	baseline := ""
	if len(targets) > 1 {
		baseline = targets[1]
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "op\t" + subject + " req/s\tp50\tp99\terrors\t"
	if baseline != "" {
		header += baseline + " req/s\tp50\tp99\terrors\tratio (req/s)\t"
	}
	fmt.Fprintln(tw, header)
	for _, k := range rows {
		s, okS := load[k][subject]
		line := k.String() + "\t" + loadCells(s, okS)
		if baseline != "" {
			b, okB := load[k][baseline]
			line += loadCells(b, okB) + ratio(s, b, okS && okB) + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	for _, k := range rows {
		c, ok := ceiling[k]
		s, okS := load[k][subject]
		if !ok || !okS || c.RPS == 0 {
			continue
		}
		fmt.Fprintf(w, "  ceiling, %s: a do-nothing Go server answers %.0f req/s, p99 %.2fms here; %s reaches %.0f%% of it\n",
			k, c.RPS, c.P99ms, subject, 100*s.RPS/c.RPS)
	}

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header = "startup (from exec, median)\t" + subject + "\t"
	if baseline != "" {
		header += baseline + "\t"
	}
	fmt.Fprintln(tw, header)
	startRows := []struct {
		name string
		get  func(record) float64
	}{
		{"first health 200", func(r record) float64 { return r.HealthMS }},
		{"first IAM answer", func(r record) float64 { return r.FirstIAMms }},
		{"first GetRole 200", func(r record) float64 { return r.FirstGetRoleMS }},
	}
	for _, sr := range startRows {
		line := sr.name + "\t" + msOrDash(sr.get(startup[subject])) + "\t"
		if baseline != "" {
			line += msOrDash(sr.get(startup[baseline])) + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	for _, phase := range []string{"idle", "after-load"} {
		line := "RSS " + phase + "\t" + mib(rss[[2]string{subject, phase}]) + "\t"
		if baseline != "" {
			line += mib(rss[[2]string{baseline, phase}]) + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()

	fmt.Fprintf(w, "\ntargets for %s (issue 2):\n", subject)
	// Throughput is compared at the highest concurrency run (saturation);
	// p99 is shown for every GetRole run, with its concurrency.
	var top row
	for _, k := range rows {
		if _, ok := load[k][subject]; ok && k.op == "GetRole" && k.concurrency > top.concurrency {
			top = k
		}
	}
	if s, b := load[top][subject], load[top][baseline]; top.op != "" && b.RPS > 0 {
		x := s.RPS / b.RPS
		fmt.Fprintf(w, "  GetRole throughput >= %dx %s (c=%d): %.1fx  %s\n", targetRatio, baseline, top.concurrency, x, verdict(x >= targetRatio))
	}
	for _, k := range rows {
		if s, ok := load[k][subject]; ok && k.op == "GetRole" {
			fmt.Fprintf(w, "  GetRole p99 < %d ms (c=%d): %.3f ms  %s\n", targetP99ms, k.concurrency, s.P99ms, verdict(s.P99ms < targetP99ms))
		}
	}
	if s, ok := startup[subject]; ok && s.FirstIAMms > 0 {
		fmt.Fprintf(w, "  startup to first answered IAM request < %d ms: %.1f ms  %s\n", targetStartupMS, s.FirstIAMms, verdict(s.FirstIAMms < targetStartupMS))
	}
	if k, ok := rss[[2]string{subject, "idle"}]; ok {
		fmt.Fprintf(w, "  idle RSS < %d MiB: %s  %s\n", targetIdleKiB>>10, mib(k), verdict(k < targetIdleKiB))
	}
}

func loadCells(r record, ok bool) string {
	if !ok {
		return "-\t-\t-\t-\t"
	}
	return fmt.Sprintf("%.0f\t%.2fms\t%.2fms\t%d\t", r.RPS, r.P50ms, r.P99ms, r.Errors)
}

func ratio(s, b record, ok bool) string {
	if !ok || b.RPS == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fx", s.RPS/b.RPS)
}

func mib(kib int64) string {
	if kib == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}
