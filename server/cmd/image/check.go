package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// checkImage reads an image archive back and checks what running it
// relies on: a non-root numeric user, the entrypoint and command, /data
// owned by that user, the CA bundle, time zones, and a static binary (no
// program interpreter, so no C library is needed).
func checkImage(path, tag string) error {
	ref, err := name.NewTag(tag)
	if err != nil {
		return err
	}
	img, err := tarball.ImageFromPath(path, &ref)
	if err != nil {
		return err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	c := cf.Config
	var problems []error
	want := func(ok bool, format string, args ...any) {
		if !ok {
			problems = append(problems, fmt.Errorf(format, args...))
		}
	}
	want(c.User == fmt.Sprintf("%d:%d", uid, uid), "user is %q, want the non-root %d:%d", c.User, uid, uid)
	want(slices.Equal(c.Entrypoint, []string{binary}) && slices.Equal(c.Cmd, []string{"serve"}), "entrypoint %q cmd %q", c.Entrypoint, c.Cmd)
	want(c.StopSignal == "SIGTERM", "stop signal %q", c.StopSignal)
	want(slices.Contains(c.Env, "DATA_DIR=/data") && slices.Contains(c.Env, "LISTEN_ADDR=0.0.0.0:8080"), "env %q", c.Env)
	_, exposed := c.ExposedPorts["8080/tcp"]
	want(exposed, "port 8080 not exposed")
	want(cf.OS == "linux" && cf.Architecture == "amd64", "platform %s/%s", cf.OS, cf.Architecture)

	seen := map[string]*tar.Header{}
	var exe []byte
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		seen[strings.TrimSuffix(h.Name, "/")] = h
		if "/"+h.Name == binary {
			if exe, err = io.ReadAll(tr); err != nil {
				return err
			}
		}
	}
	for _, f := range []string{"etc/passwd", "etc/group", "etc/ssl/certs/ca-certificates.crt", "usr/share/zoneinfo/Europe/Minsk", "usr/share/zoneinfo/Europe/Brussels"} {
		want(seen[f] != nil, "%s missing", f)
	}
	if d := seen["data"]; d == nil || d.Uid != uid || d.Mode&0o777 != 0o700 {
		problems = append(problems, fmt.Errorf("/data must be a folder of %d with mode 0700", uid))
	}
	if h := seen[binary[1:]]; h == nil || h.Mode&0o111 == 0 {
		problems = append(problems, fmt.Errorf("%s missing or not executable", binary))
	} else if f, err := elf.NewFile(bytes.NewReader(exe)); err != nil {
		problems = append(problems, fmt.Errorf("%s is not an ELF binary: %w", binary, err))
	} else {
		for _, p := range f.Progs {
			want(p.Type != elf.PT_INTERP, "%s is dynamically linked: the image has no C library", binary)
		}
		want(f.Machine == elf.EM_X86_64, "%s is for %v", binary, f.Machine)
	}
	if err := errors.Join(problems...); err != nil {
		return err
	}
	fmt.Printf("image %s: non-root %s, entrypoint %v %v, %d files, static binary: ok\n", tag, c.User, c.Entrypoint, c.Cmd, len(seen))
	return nil
}
