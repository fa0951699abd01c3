// Package docs holds the project's reference pages (Markdown, one per
// audience; README.md links them) and the tests that keep them true: every
// relative link in README.md and docs/*.md resolves, anchors included
// (links_test.go), and the import rules that architecture.md states hold
// across the module (imports_test.go).
//
// The checks live here, in a package of their own with no other code,
// because they are about the pages and the module as a whole rather than
// about any one package: in a package they do not test, they would run
// when that package changes and be missed when a page does. Being tests,
// they run in go test ./..., so in make test and CI. This file exists so
// that go doc, like go test, sees a package here.
package docs
