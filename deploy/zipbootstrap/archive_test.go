package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap-src")
	payload := bytes.Repeat([]byte("\x7fELF binary bytes "), 1000)
	if err := os.WriteFile(bin, payload, 0o600); err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(dir, "a.zip")
	second := filepath.Join(dir, "b.zip")
	if err := writeFile(first, bin); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(bin, entryTime.AddDate(40, 0, 0), entryTime.AddDate(40, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(second, bin); err != nil {
		t.Fatal(err)
	}
	a, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(second)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two archives of the same binary differ: the zip is not reproducible")
	}

	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 {
		t.Fatalf("archive holds %d entries, want 1", len(zr.File))
	}
	f := zr.File[0]
	if f.Name != "bootstrap" {
		t.Errorf("entry name %q, want bootstrap at the root", f.Name)
	}
	if got := f.Mode(); got != 0o755 {
		t.Errorf("entry mode %v, want -rwxr-xr-x", got)
	}
	if f.CreatorVersion>>8 != 3 {
		t.Errorf("creator system %d, want 3 (Unix) so that Lambda honours the mode", f.CreatorVersion>>8)
	}
	if !f.Modified.Equal(entryTime) {
		t.Errorf("entry time %v, want %v", f.Modified, entryTime)
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, payload) {
		t.Error("entry content differs from the binary")
	}
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		src  string
		want error
	}{
		{"missing binary", filepath.Join(dir, "nope"), os.ErrNotExist},
		{"directory", dir, errNotRegular},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := filepath.Join(dir, "out.zip")
			err := writeFile(dst, tt.src)
			if !errors.Is(err, tt.want) {
				t.Fatalf("writeFile(%s) = %v, want %v", tt.src, err, tt.want)
			}
			if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed run left %s behind", dst)
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"-o", "x.zip"}, {"bin"}, {"-o", "x.zip", "a", "b"}} {
		var stderr bytes.Buffer
		if err := run(args, &stderr); !errors.Is(err, errUsage) {
			t.Errorf("run(%q) = %v, want errUsage", args, err)
		}
		if !bytes.Contains(stderr.Bytes(), []byte("usage: zipbootstrap")) {
			t.Errorf("run(%q) printed no usage", args)
		}
	}
}
