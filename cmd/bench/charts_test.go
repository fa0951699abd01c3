package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// madeUpReport is a report with every chart's data, in made-up figures.
func madeUpReport() report {
	sizes := curve{
		Title: "Scale: token size (permissions array grows)", XLabel: "token bytes", Columns: []string{"verify"},
		Chart: chartTokenSize, YLabel: "µs per verification", Lines: verifyLines(),
	}
	for i, x := range []float64{1034, 2070, 4114, 8202, 16406} {
		sizes.Points = append(sizes.Points, []string{"x", "y"})
		sizes.addPoint(x, 40+float64(i)*10, 36+float64(i))
	}
	keys := curve{
		Title: "Scale: key-set size", XLabel: "keys in the JWKS", Columns: []string{"verify"},
		Chart: chartKeySet, YLabel: "µs per verification", Lines: verifyLines(),
	}
	for _, n := range []float64{1, 10, 25, 50} {
		keys.Points = append(keys.Points, []string{"x", "y"})
		keys.addPoint(n, 39, 37)
	}
	return report{
		Curves: []curve{sizes, keys},
		Rows: []row{
			{What: "warm", Figure: &figure{Chart: chartWarm, Group: trivialGroup, Ours: 464, Reference: 394}},
			{What: "cold", Figure: &figure{Chart: chartCold, Group: trivialGroup, Ours: 5.07, Reference: 4.16}},
			{What: "size", Ours: "5.75 MiB"}, // not charted
			{What: "gateway off", Figure: &figure{Chart: chartGateway, Group: "our authorizer, cache off", Ours: 4949, Reference: 32670}},
			{What: "gateway on", Figure: &figure{Chart: chartGateway, Group: "our authorizer, cache TTL 300s", Ours: 6426, Reference: 33473}},
			{What: "Node.js warm", Figure: &figure{Chart: chartWarm, Group: nodeGroup, Ours: 632, Reference: 1244}},
			{What: "Node.js cold", Figure: &figure{Chart: chartCold, Group: nodeGroup, Ours: 5.07, Reference: 193.18}},
		},
	}
}

// svgTexts parses an SVG file as XML and returns its root element's name
// and the text of every <text> element.
func svgTexts(t *testing.T, path string) (string, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	var root string
	var texts []string
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", path, err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = el.Name.Local
			}
			inText = el.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, strings.TrimSpace(string(el)))
			}
		}
	}
	return root, texts
}

func TestWriteCharts(t *testing.T) {
	dir := t.TempDir()
	images, err := writeCharts(dir, "benchmarks", madeUpReport())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		stem  string
		texts []string // title, axis labels, legend, groups, bar values
	}{
		{chartTokenSize, []string{"Scale: token size (permissions array grows)", "token bytes", "µs per verification", "Authorizer.Verify (ours)", "raw sha256 + rsa.VerifyPKCS1v15"}},
		{chartKeySet, []string{"Scale: key-set size", "keys in the JWKS", "Authorizer.Verify (ours)"}},
		{chartWarm, []string{"Warm invocation through fakelambda (median)", "µs", "our authorizer bootstrap", "reference", trivialGroup, nodeGroup, "464", "1244"}},
		{chartCold, []string{"Cold start to first answer (median)", "ms", trivialGroup, nodeGroup, "5.1", "193.2"}},
		{chartGateway, []string{"Local stack: GET /profile through fakegateway vs a bare net/http handler", "requests/s (median round)", "fakegateway + in-process functions", "bare net/http handler", "our authorizer, cache off", "our authorizer, cache TTL 300s", "4949", "32670"}},
	}
	if len(images) != len(want) {
		t.Fatalf("%d charts written, want %d: %+v", len(images), len(want), images)
	}
	for i, w := range want {
		img := images[i]
		if img.Stem != w.stem || img.File != "benchmarks-"+w.stem+".svg" {
			t.Errorf("chart %d = %+v, want stem %s", i, img, w.stem)
			continue
		}
		root, texts := svgTexts(t, filepath.Join(dir, img.File))
		if root != "svg" {
			t.Errorf("%s: root element %q, want svg", img.File, root)
		}
		for _, s := range w.texts {
			if !slices.Contains(texts, s) {
				t.Errorf("%s has no text %q; it has %q", img.File, s, texts)
			}
		}
	}
}

// TestWriteChartsRefusesBadData: a chart whose numbers cannot be drawn is
// reported by name, and the others are still written.
func TestWriteChartsRefusesBadData(t *testing.T) {
	cases := []struct {
		name   string
		spoil  func(*report)
		failed string
	}{
		{"NaN in a line", func(r *report) { r.Curves[0].Lines[1].Y[2] = math.NaN() }, chartTokenSize},
		{"a missing value", func(r *report) { r.Curves[1].addPoint(100) }, chartKeySet},
		{"a series shorter than X", func(r *report) { r.Curves[1].Lines[0].Y = r.Curves[1].Lines[0].Y[:1] }, chartKeySet},
		{"an infinite bar", func(r *report) { r.Rows[1].Figure.Reference = math.Inf(1) }, chartCold},
		{"a negative bar", func(r *report) { r.Rows[0].Figure.Ours = -1 }, chartWarm},
		{"a curve without points", func(r *report) { r.Curves[0].X, r.Curves[0].Lines = nil, nil }, chartTokenSize},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := madeUpReport()
			tc.spoil(&r)
			dir := t.TempDir()
			images, err := writeCharts(dir, "b", r)
			if err == nil || !strings.Contains(err.Error(), "chart "+tc.failed+":") {
				t.Fatalf("err = %v, want one naming chart %s", err, tc.failed)
			}
			if len(images) != 4 {
				t.Fatalf("%d charts written, want the 4 others", len(images))
			}
			for _, img := range images {
				if img.Stem == tc.failed {
					t.Errorf("the failed chart is listed: %+v", img)
				}
				if _, err := os.Stat(filepath.Join(dir, img.File)); err != nil {
					t.Error(err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "b-"+tc.failed+".svg")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the failed chart's file: %v", err)
			}
		})
	}
}

// TestBarChartsFromRows: only charts some row feeds are drawn, with the
// groups in row order.
func TestBarChartsFromRows(t *testing.T) {
	charts := barCharts([]row{
		{What: "a", Figure: &figure{Chart: chartGateway, Group: "one"}},
		{What: "b"},
		{What: "c", Figure: &figure{Chart: chartGateway, Group: "two"}},
	})
	if len(charts) != 1 || charts[0].Stem != chartGateway || len(charts[0].Groups) != 2 ||
		charts[0].Groups[0].Group != "one" || charts[0].Groups[1].Group != "two" {
		t.Fatalf("barCharts = %+v", charts)
	}
	if got := barCharts(nil); got != nil {
		t.Fatalf("barCharts(nil) = %+v", got)
	}
}

// TestWriteReport: the Markdown embeds each chart with a link relative to
// the page, and the linked files are beside it.
func TestWriteReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "docs")
	out := filepath.Join(dir, "benchmarks.md")
	var stdout, progress bytes.Buffer
	s := settings{progress: newProgressLog(&progress)}
	if err := writeReport(s, &stdout, out, madeUpReport()); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## At a glance",
		"![Warm invocation through fakelambda (median)](benchmarks-function-warm.svg)",
		"![Cold start to first answer (median)](benchmarks-function-cold.svg)",
		"![Local stack: GET /profile through fakegateway vs a bare net/http handler](benchmarks-gateway-throughput.svg)",
		"## Scale: token size (permissions array grows)\n\n![Scale: token size (permissions array grows)](benchmarks-verify-token-size.svg)\n\n| token bytes |",
		"## Scale: key-set size\n\n![Scale: key-set size](benchmarks-verify-key-set-size.svg)\n",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	for _, stem := range []string{chartTokenSize, chartKeySet, chartWarm, chartCold, chartGateway} {
		name := filepath.Join(dir, "benchmarks-"+stem+".svg")
		if _, err := os.Stat(name); err != nil {
			t.Error(err)
		}
		if !strings.Contains(stdout.String(), "wrote "+name+"\n") {
			t.Errorf("stdout does not name %s:\n%s", name, stdout.String())
		}
	}
	if !strings.HasPrefix(progress.String(), "bench: [0:00] writing "+out) {
		t.Errorf("progress = %q", progress.String())
	}

	// A chart that cannot be drawn is left out of the page, not linked.
	r := madeUpReport()
	r.Curves[1].Lines[0].Y[0] = math.NaN()
	if err := writeReport(settings{}, io.Discard, out, r); err == nil {
		t.Fatal("a NaN went into a chart without an error")
	}
	md, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(md), "key-set-size.svg") || !strings.Contains(string(md), "## Scale: key-set size") {
		t.Errorf("the failed chart is linked, or its table is gone:\n%s", md)
	}
}

func TestProgressLog(t *testing.T) {
	var buf bytes.Buffer
	p := progressLog{w: &buf, start: time.Now().Add(-65 * time.Second)}
	p.printf("scale: %d keys", 50)
	if got := buf.String(); got != "bench: [1:05] scale: 50 keys\n" {
		t.Errorf("progress line = %q", got)
	}
	progressLog{}.printf("nowhere %d", 1) // the zero value prints nothing
	for d, want := range map[time.Duration]string{0: "0:00", 59*time.Second + 600*time.Millisecond: "1:00", 10 * time.Minute: "10:00"} {
		if got := clock(d); got != want {
			t.Errorf("clock(%v) = %q, want %q", d, got, want)
		}
	}
}
