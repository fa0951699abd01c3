package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// lambdaBuildFlags are the flags of the project's bootstrap builds (make
// build): no cgo, no RPC runtime, reproducible paths.
var lambdaBuildFlags = []string{"-tags", "lambda.norpc", "-trimpath"}

// goBuild builds pkg (an import path or ./dir relative to root) into out
// with the lambda flags, for goos/goarch ("" for the host); extra go
// before the package.
func goBuild(ctx context.Context, root, pkg, out, goos, goarch string, extra ...string) error {
	args := append([]string{"build"}, lambdaBuildFlags...)
	args = append(args, extra...)
	args = append(args, "-o", out, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if goos != "" {
		cmd.Env = append(cmd.Env, "GOOS="+goos, "GOARCH="+goarch)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// moduleRoot returns the directory of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the module (run from the repository)")
	}
	return filepath.Dir(gomod), nil
}

// zipBootstrap writes a Lambda deployment zip holding bin as an executable
// "bootstrap" and returns the zip's size.
func zipBootstrap(bin, out string) (int64, error) {
	src, err := os.Open(bin)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return 0, err
	}
	f, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	zw := zip.NewWriter(f)
	h, err := zip.FileInfoHeader(info)
	if err != nil {
		f.Close()
		return 0, err
	}
	h.Name, h.Method = "bootstrap", zip.Deflate
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err == nil {
		_, err = io.Copy(w, src)
	}
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	st, err := os.Stat(out)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// mib formats a byte count in MiB.
func mib(n int64) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }

// sizeRows builds the linux/arm64 bootstrap as it is deployed and zips it.
func sizeRows(ctx context.Context, s settings, root, dir string) ([]row, error) {
	bin := filepath.Join(dir, "arm64", "bootstrap")
	s.progress.printf("building linux/arm64 bootstrap")
	if err := goBuild(ctx, root, "./deploy/authorizer", bin, "linux", "arm64", "-ldflags", "-s -w"); err != nil {
		return nil, err
	}
	st, err := os.Stat(bin)
	if err != nil {
		return nil, err
	}
	zipped, err := zipBootstrap(bin, filepath.Join(dir, "arm64", "authorizer.zip"))
	if err != nil {
		return nil, err
	}
	const maxBin, maxZip = 6 << 20, 5 << 19 // 6.0 MiB, 2.5 MiB
	note := "GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags \"-s -w\" ./deploy/authorizer, zipped (deflate) with archive/zip."
	return []row{
		{What: "linux/arm64 bootstrap", Ours: mib(st.Size()), Reference: "—", Ratio: "—", Target: "≤ 6.0 MiB", Met: check(st.Size() <= maxBin), Note: note},
		{What: "linux/arm64 zip", Ours: mib(zipped), Reference: "—", Ratio: "—", Target: "≤ 2.5 MiB", Met: check(zipped <= maxZip)},
	}, nil
}
