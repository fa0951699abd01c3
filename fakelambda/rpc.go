package fakelambda

import (
	"bufio"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/semver"
)

// awsLambdaGo is the module path of aws-lambda-go.
const awsLambdaGo = "github.com/aws/aws-lambda-go"

// firstRuntimeAPIVersion is the first aws-lambda-go release whose
// lambda.Start speaks the Runtime API (AWS_LAMBDA_RUNTIME_API); earlier ones
// only serve the go1.x runtime's net/rpc protocol on _LAMBDA_SERVER_PORT.
// Source: aws/aws-lambda-go pull request #298 "Add a Runtime API client"
// (merged June 2020, released in v1.18.0).
const firstRuntimeAPIVersion = "v1.18.0"

// rpcHint is what to do about a binary that speaks the go1.x RPC protocol.
const rpcHint = "it speaks the retired go1.x RPC protocol (it waits for connections on _LAMBDA_SERVER_PORT) " +
	"instead of the Runtime API that provided.al2023 and fakelambda use: rebuild it with aws-lambda-go " +
	firstRuntimeAPIVersion + " or later"

// checkRPCBinary looks at the executable Command starts, when it is a Go
// binary, and returns an error matching ErrRPCProtocol when it was built
// with aws-lambda-go before v1.18.0. Anything it cannot read (a script, a
// binary built without module information) passes: the init timeout then
// looks for a listening socket instead (listeningPorts).
func (c Config) checkRPCBinary() error {
	exe := c.executable()
	if exe == "" {
		return nil
	}
	info, err := buildinfo.ReadFile(exe)
	if err != nil {
		return nil
	}
	for _, dep := range info.Deps {
		if dep.Path != awsLambdaGo {
			continue
		}
		version := dep.Version
		if dep.Replace != nil && semver.IsValid(dep.Replace.Version) {
			version = dep.Replace.Version // replaced by another release; a directory keeps the required one
		}
		if semver.IsValid(version) && semver.Compare(version, firstRuntimeAPIVersion) < 0 {
			return fmt.Errorf("%w: %s was built with aws-lambda-go %s: %s", ErrRPCProtocol, exe, version, rpcHint)
		}
	}
	return nil
}

// executable is the file Command runs, resolved against Dir and PATH: its
// first word after any VAR=value assignments and "exec". It returns "" when
// that is not a regular file (a shell builtin, a pipeline, a missing file).
func (c Config) executable() string {
	words := strings.Fields(c.Command)
	for len(words) > 0 && (words[0] == "exec" || isAssignment(words[0])) {
		words = words[1:]
	}
	if len(words) == 0 || strings.ContainsAny(words[0], `'"$;|&<>()`+"`") {
		return ""
	}
	name := words[0]
	if !strings.Contains(name, "/") {
		found, err := exec.LookPath(name)
		if err != nil {
			return ""
		}
		name = found
	} else if !filepath.IsAbs(name) {
		name = filepath.Join(c.Dir, name)
	}
	if st, err := os.Stat(name); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	return name
}

// isAssignment reports whether a shell word is NAME=value.
func isAssignment(word string) bool {
	name, _, ok := strings.Cut(word, "=")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if r != '_' && !('A' <= r && r <= 'Z') && !('a' <= r && r <= 'z') && (i == 0 || !('0' <= r && r <= '9')) {
			return false
		}
	}
	return true
}

// listeningPorts returns the TCP ports that processes of the process group
// pgid listen on: a runtime that listens instead of calling the Runtime
// API is most likely a go1.x RPC binary. Linux only (/proc); elsewhere, or
// when /proc cannot be read, it returns nil.
func listeningPorts(pgid int) []int {
	inodes := map[string]bool{}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, stat := range procs {
		data, err := os.ReadFile(stat)
		if err != nil {
			continue
		}
		// The fields after the parenthesised command: state ppid pgrp ...
		_, rest, ok := strings.Cut(string(data), ") ")
		fields := strings.Fields(rest)
		if !ok || len(fields) < 3 || fields[2] != strconv.Itoa(pgid) {
			continue
		}
		fds, _ := filepath.Glob(filepath.Join(filepath.Dir(stat), "fd", "*"))
		for _, fd := range fds {
			if link, err := os.Readlink(fd); err == nil && strings.HasPrefix(link, "socket:[") {
				inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
			}
		}
	}
	if len(inodes) == 0 {
		return nil
	}
	var ports []int
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || fields[3] != "0A" || !inodes[fields[9]] {
				continue
			}
			_, hexPort, _ := strings.Cut(fields[1], ":")
			if port, err := strconv.ParseUint(hexPort, 16, 16); err == nil {
				ports = append(ports, int(port))
			}
		}
		_ = f.Close()
	}
	return ports
}
