package main

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// entryName is the file name the provided.al2023 runtime executes.
const entryName = "bootstrap"

// entryMode is the bootstrap's permission bits inside the archive.
const entryMode os.FileMode = 0o755

// entryTime is the fixed modification time of the entry: 1980-01-01, the earliest time the zip
// format's MS-DOS date field can hold, so the archive does not depend on when it was built.
var entryTime = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)

var errUsage = errors.New("expected -o OUT.zip and one BINARY")

// errNotRegular is returned when the input is a directory or another non-regular file.
var errNotRegular = errors.New("not a regular file")

// writeFile zips the binary at src into dst (atomically: a temporary file renamed into place).
func writeFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: %w", src, errNotRegular)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".zipbootstrap-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := writeArchive(tmp, in); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", dst, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// writeArchive writes a zip holding r as the single entry "bootstrap" (mode 0755, deflated,
// fixed timestamp, Unix creator so that the mode bits are honoured).
func writeArchive(w io.Writer, r io.Reader) error {
	zw := zip.NewWriter(w)
	hdr := &zip.FileHeader{Name: entryName, Method: zip.Deflate, Modified: entryTime}
	hdr.SetMode(entryMode)
	fw, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	if _, err := io.Copy(fw, r); err != nil {
		return err
	}
	return zw.Close()
}
