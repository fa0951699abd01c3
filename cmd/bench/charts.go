package main

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart file-name stems. A chart is written as PREFIX-STEM.svg beside the
// Markdown report, PREFIX being the report's name without ".md".
const (
	chartTokenSize = "verify-token-size"
	chartKeySet    = "verify-key-set-size"
	chartWarm      = "function-warm"
	chartCold      = "function-cold"
	chartGateway   = "gateway-throughput"
)

// chartWidth and chartHeight size every chart.
const (
	chartWidth  = 6 * vg.Inch
	chartHeight = 3.6 * vg.Inch
)

// oursColor and referenceColor tell this project's figures from the
// references' in every chart.
var (
	oursColor      = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	referenceColor = color.RGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xff}
)

// barSpec describes a bar chart whose bars come from the rows' figures.
type barSpec struct {
	Stem      string
	Title     string
	YLabel    string
	Ours      string // legend of this project's bars
	Reference string // legend of the references' bars
	Decimals  int    // of the value printed above each bar
}

// barSpecs are the bar charts of the report, in the order it shows them.
func barSpecs() []barSpec {
	return []barSpec{
		{Stem: chartWarm, Title: "Warm invocation through fakelambda (median)", YLabel: "µs", Ours: "our authorizer bootstrap", Reference: "reference", Decimals: 0},
		{Stem: chartCold, Title: "Cold start to first answer (median)", YLabel: "ms", Ours: "our authorizer bootstrap", Reference: "reference", Decimals: 1},
		{Stem: chartGateway, Title: "Local stack: GET /profile through fakegateway vs a bare net/http handler", YLabel: "requests/s (median round)", Ours: "fakegateway + in-process functions", Reference: "bare net/http handler", Decimals: 0},
	}
}

// barChart is a bar chart's spec with its groups, from the rows.
type barChart struct {
	barSpec
	Groups []figure
}

// barCharts collects the rows' figures into the charts of barSpecs; a
// chart no row feeds is left out.
func barCharts(rows []row) []barChart {
	var out []barChart
	for _, spec := range barSpecs() {
		c := barChart{barSpec: spec}
		for _, r := range rows {
			if r.Figure != nil && r.Figure.Chart == spec.Stem {
				c.Groups = append(c.Groups, *r.Figure)
			}
		}
		if len(c.Groups) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// chartImage is a chart written to a file, as the report links it.
type chartImage struct {
	Stem  string
	Title string
	File  string // relative to the report
}

// writeCharts writes the report's charts as SVG files named
// PREFIX-STEM.svg into dir, and returns them in the order the report shows
// them. A chart that cannot be drawn is left out and its error returned
// with the others, after the rest are written.
func writeCharts(dir, prefix string, r report) ([]chartImage, error) {
	var images []chartImage
	var errs []error
	save := func(stem, title string, p *plot.Plot, err error) {
		if err == nil {
			name := prefix + "-" + stem + ".svg"
			if err = savePlot(p, filepath.Join(dir, name)); err == nil {
				images = append(images, chartImage{Stem: stem, Title: title, File: name})
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("chart %s: %w", stem, err))
		}
	}
	for _, c := range r.Curves {
		if c.Chart != "" {
			p, err := lineChart(c)
			save(c.Chart, c.Title, p, err)
		}
	}
	for _, c := range barCharts(r.Rows) {
		p, err := groupedBars(c)
		save(c.Stem, c.Title, p, err)
	}
	return images, errors.Join(errs...)
}

// savePlot writes p to path as SVG.
func savePlot(p *plot.Plot, path string) (err error) {
	wt, err := p.WriterTo(chartWidth, chartHeight, "svg")
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	_, err = wt.WriteTo(f)
	return err
}

// errNoData is returned for a chart without points.
var errNoData = errors.New("nothing to draw")

// checkFinite refuses NaN and infinite values, which gonum cannot place.
func checkFinite(what string, xs ...float64) error {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s: %v is not a finite number", what, x)
		}
	}
	return nil
}

// lineChart draws a curve: one line with points per series, from Y = 0 so
// that the gap between two lines reads as their ratio.
func lineChart(c curve) (*plot.Plot, error) {
	if len(c.X) == 0 || len(c.Lines) == 0 {
		return nil, errNoData
	}
	if err := checkFinite(c.XLabel, c.X...); err != nil {
		return nil, err
	}
	p := plot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	p.Y.Min = 0
	p.Add(plotter.NewGrid())
	p.Legend.Top, p.Legend.Left = true, true
	top := 0.0
	for i, s := range c.Lines {
		if len(s.Y) != len(c.X) {
			return nil, fmt.Errorf("series %q has %d values for %d points", s.Name, len(s.Y), len(c.X))
		}
		if err := checkFinite(s.Name, s.Y...); err != nil {
			return nil, err
		}
		top = max(top, slices.Max(s.Y))
		xys := make(plotter.XYs, len(c.X))
		for j := range c.X {
			xys[j] = plotter.XY{X: c.X[j], Y: s.Y[j]}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		col := seriesColor(i)
		line.Color, points.Color = col, col
		line.Width = vg.Points(1.5)
		points.Shape = draw.CircleGlyph{}
		p.Add(line, points)
		p.Legend.Add(s.Name, line, points)
	}
	// Room above the highest point for the legend.
	p.Y.Max = top * 1.25
	if top == 0 {
		p.Y.Max = 1
	}
	return p, nil
}

// seriesColor is the colour of a curve's i-th series: ours first, then
// the reference, then gonum's palette.
func seriesColor(i int) color.Color {
	switch i {
	case 0:
		return oursColor
	case 1:
		return referenceColor
	}
	return plotutil.Color(i)
}

// groupedBars draws one group per figure, ours and the reference side by
// side, each with its value printed above it.
func groupedBars(c barChart) (*plot.Plot, error) {
	if len(c.Groups) == 0 {
		return nil, errNoData
	}
	ours, refs := make(plotter.Values, len(c.Groups)), make(plotter.Values, len(c.Groups))
	names := make([]string, len(c.Groups))
	top := 0.0
	for i, g := range c.Groups {
		if err := checkFinite(g.Group, g.Ours, g.Reference); err != nil {
			return nil, err
		}
		if g.Ours < 0 || g.Reference < 0 {
			return nil, fmt.Errorf("%s: negative bar (%v, %v)", g.Group, g.Ours, g.Reference)
		}
		ours[i], refs[i], names[i] = g.Ours, g.Reference, g.Group
		top = max(top, g.Ours, g.Reference)
	}
	p := plot.New()
	p.Title.Text = c.Title
	p.Y.Label.Text = c.YLabel
	p.Y.Min = 0
	// Room above the tallest bar for its value and the legend.
	p.Y.Max = top * 1.3
	if top == 0 {
		p.Y.Max = 1
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil // no lines between the groups
	p.Add(grid)
	p.Legend.Top = true
	w := vg.Points(48)
	for _, b := range []struct {
		name   string
		values plotter.Values
		col    color.Color
		offset vg.Length
	}{
		{c.Ours, ours, oursColor, -w / 2},
		{c.Reference, refs, referenceColor, w / 2},
	} {
		bars, err := plotter.NewBarChart(b.values, w)
		if err != nil {
			return nil, err
		}
		bars.Color, bars.Offset = b.col, b.offset
		bars.LineStyle.Width = 0
		labels, err := barLabels(b.values, c.Decimals, b.offset)
		if err != nil {
			return nil, err
		}
		p.Add(bars, labels)
		p.Legend.Add(b.name, bars)
	}
	p.NominalX(names...)
	return p, nil
}

// barLabels prints each value centred above its bar.
func barLabels(values plotter.Values, decimals int, offset vg.Length) (*plotter.Labels, error) {
	xyl := plotter.XYLabels{XYs: make(plotter.XYs, len(values)), Labels: make([]string, len(values))}
	for i, v := range values {
		xyl.XYs[i] = plotter.XY{X: float64(i), Y: v}
		xyl.Labels[i] = fmt.Sprintf("%.*f", decimals, v)
	}
	labels, err := plotter.NewLabels(xyl)
	if err != nil {
		return nil, err
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].XAlign = text.XCenter
	}
	labels.Offset = vg.Point{X: offset, Y: vg.Points(3)}
	return labels, nil
}
