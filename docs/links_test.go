package docs

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// link is one link found in a Markdown page.
type link struct {
	line   int
	target string // as written, e.g. "deploy.md#cost" or "#environment"
}

var (
	// inlineLink matches [text](dest) and ![alt](dest), with an optional
	// title; the text may hold one level of brackets ([`x`][y] is rare).
	inlineLink = regexp.MustCompile(`!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)`)
	// refDefinition matches a reference-style link definition: [label]: dest
	refDefinition = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?`)
	// codeSpan matches inline code, whose brackets are not links.
	codeSpan = regexp.MustCompile("`+[^`]*`+")
	// atxHeading matches a heading line: "## Text", with optional closing #s.
	atxHeading = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$`)
	// htmlAnchor matches an explicit anchor, <a id="x"> or <a name="x">.
	htmlAnchor = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
	// fence opens or closes a fenced code block.
	fence = regexp.MustCompile("^\\s{0,3}(```|~~~)")
)

// scanMarkdown reads a page's links and the anchors its headings make,
// outside fenced code blocks and code spans.
func scanMarkdown(doc string) (links []link, anchors map[string]bool) {
	anchors = map[string]bool{}
	seen := map[string]int{} // slug → how many headings had it before
	inFence := ""
	sc := bufio.NewScanner(strings.NewReader(doc))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if m := fence.FindStringSubmatch(line); m != nil {
			switch inFence {
			case "":
				inFence = m[1]
			case m[1]:
				inFence = ""
			}
			continue
		}
		if inFence != "" {
			continue
		}
		if m := atxHeading.FindStringSubmatch(line); m != nil {
			slug := headingSlug(m[1])
			// GitHub numbers repeated headings: x, x-1, x-2, ...
			if k := seen[slug]; k > 0 {
				anchors[fmt.Sprintf("%s-%d", slug, k)] = true
			} else {
				anchors[slug] = true
			}
			seen[slug]++
		}
		for _, m := range htmlAnchor.FindAllStringSubmatch(line, -1) {
			anchors[m[1]] = true
		}
		text := codeSpan.ReplaceAllString(line, "")
		for _, m := range inlineLink.FindAllStringSubmatch(text, -1) {
			links = append(links, link{line: n, target: m[1]})
		}
		if m := refDefinition.FindStringSubmatch(text); m != nil {
			links = append(links, link{line: n, target: m[1]})
		}
	}
	return links, anchors
}

// linkText drops the destinations of links in a heading, keeping their text.
var linkText = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)

// headingSlug is the anchor GitHub gives a heading: the rendered text in
// lower case, every character other than a letter, a digit, a space, '-'
// or '_' removed, and each space turned into '-'.
func headingSlug(heading string) string {
	text := linkText.ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// external reports whether a link leaves the repository.
func external(target string) bool {
	lower := strings.ToLower(target)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "mailto:")
}

// checkLink says what is wrong with a relative link on the page at page,
// or "" when its file exists and its anchor, if any, is a heading of the
// target page. anchorsOf returns the anchors of a Markdown file.
func checkLink(page, target string, anchorsOf func(path string) (map[string]bool, error)) string {
	pathPart, anchor, _ := strings.Cut(target, "#")
	path, err := url.PathUnescape(pathPart)
	if err != nil {
		return fmt.Sprintf("%s: bad escape: %v", target, err)
	}
	if anchor, err = url.PathUnescape(anchor); err != nil {
		return fmt.Sprintf("%s: bad escape: %v", target, err)
	}
	resolved := page
	if path != "" {
		if filepath.IsAbs(path) || strings.HasPrefix(path, "/") {
			return fmt.Sprintf("%s: an absolute path does not resolve on GitHub; make it relative to the page", target)
		}
		resolved = filepath.Join(filepath.Dir(page), filepath.FromSlash(path))
		if _, err := os.Stat(resolved); err != nil {
			return fmt.Sprintf("%s: %s does not exist", target, resolved)
		}
	}
	if anchor == "" || !strings.EqualFold(filepath.Ext(resolved), ".md") {
		return ""
	}
	anchors, err := anchorsOf(resolved)
	if err != nil {
		return fmt.Sprintf("%s: %v", target, err)
	}
	if !anchors[anchor] {
		return fmt.Sprintf("%s: %s has no heading with the anchor #%s", target, resolved, anchor)
	}
	return ""
}

// pages are the Markdown files whose links must resolve: the README and
// every page in docs/.
func pages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no docs/*.md found; is the test running in docs/?")
	}
	return append([]string{filepath.Join("..", "README.md")}, docs...)
}

// TestLinksResolve fails for every relative link in README.md and
// docs/*.md whose file does not exist or whose anchor is not a heading of
// the page it points to.
func TestLinksResolve(t *testing.T) {
	cache := map[string]map[string]bool{}
	anchorsOf := func(path string) (map[string]bool, error) {
		if a, ok := cache[path]; ok {
			return a, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		_, a := scanMarkdown(string(b))
		cache[path] = a
		return a, nil
	}
	checked := 0
	all := pages(t)
	for _, page := range all {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		links, anchors := scanMarkdown(string(b))
		cache[page] = anchors
		for _, l := range links {
			if external(l.target) {
				continue
			}
			checked++
			if problem := checkLink(page, l.target, anchorsOf); problem != "" {
				t.Errorf("%s:%d: %s", page, l.line, problem)
			}
		}
	}
	if checked == 0 {
		t.Error("no relative links found at all: the scanner is broken")
	}
	t.Logf("%d relative links checked in %d pages", checked, len(all))
}

func TestHeadingSlug(t *testing.T) {
	for heading, want := range map[string]string{
		"Quick start":                          "quick-start",
		"How it is measured":                   "how-it-is-measured",
		"`make deploy`: real AWS":              "make-deploy-real-aws",
		"Scale: token size (permissions grow)": "scale-token-size-permissions-grow",
		"AUTH-12 — key rotation":               "auth-12--key-rotation",
		"The [spec](spec.md) and its levels":   "the-spec-and-its-levels",
		"JWKS_URI, TOKEN_ISSUER & AUDIENCE":    "jwks_uri-token_issuer--audience",
		"Daniël's profile":                     "daniëls-profile",
	} {
		if got := headingSlug(heading); got != want {
			t.Errorf("headingSlug(%q) = %q, want %q", heading, got, want)
		}
	}
}

func TestScanMarkdown(t *testing.T) {
	doc := strings.Join([]string{
		"# Title",
		"See [the spec](spec.md#levels), ![a chart](benchmarks-x.svg \"title\") and [here](#title).",
		"Not a link: `[x](nowhere.md)`.",
		"```",
		"[also not](nowhere.md)",
		"# not a heading",
		"```",
		"## Title",
		"## Cost ##",
		`<a id="custom"></a>`,
		"[ref]: deploy.md#cost",
		"[out](https://example.com/x.md) [mail](mailto:a@b.c)",
	}, "\n")
	links, anchors := scanMarkdown(doc)
	var got []string
	for _, l := range links {
		got = append(got, fmt.Sprintf("%d:%s", l.line, l.target))
	}
	want := []string{"2:spec.md#levels", "2:benchmarks-x.svg", "2:#title", "11:deploy.md#cost", "12:https://example.com/x.md", "12:mailto:a@b.c"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("links = %q, want %q", got, want)
	}
	for _, a := range []string{"title", "title-1", "cost", "custom"} {
		if !anchors[a] {
			t.Errorf("anchor %q missing from %v", a, anchors)
		}
	}
	if anchors["not-a-heading"] {
		t.Error("a heading inside a code block made an anchor")
	}
	if !external("HTTPS://x") || !external("mailto:x") || external("deploy.md") {
		t.Error("external() misjudges")
	}
}

// TestCheckLink: the checker itself finds each kind of broken link.
func TestCheckLink(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "page.md")
	other := filepath.Join(dir, "other.md")
	for path, body := range map[string]string{page: "# Page\n## Section two\n", other: "# Other\n", filepath.Join(dir, "chart.svg"): "<svg/>"} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	anchorsOf := func(path string) (map[string]bool, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		_, a := scanMarkdown(string(b))
		return a, nil
	}
	for target, wantProblem := range map[string]string{
		"other.md":             "",
		"other.md#other":       "",
		"#section-two":         "",
		"chart.svg":            "",
		"chart.svg#whatever":   "",
		"./other.md":           "",
		"other%2Emd":           "",
		"missing.md":           "does not exist",
		"other.md#missing":     "has no heading with the anchor #missing",
		"#Section-two":         "has no heading",
		"#nowhere":             "has no heading",
		"/etc/passwd":          "absolute path",
		"../" + "nope/file.md": "does not exist",
	} {
		got := checkLink(page, target, anchorsOf)
		if (wantProblem == "") != (got == "") || !strings.Contains(got, wantProblem) {
			t.Errorf("checkLink(%q) = %q, want a problem containing %q", target, got, wantProblem)
		}
	}
}
