// Command image builds undersigned's container image from the static binary
// that `make build` made, with no container engine and no base image: one
// layer with the binary, a non-root user, CA certificates, time zones and
// an empty /data, written as an image archive that `podman load` and
// `docker load` read. With -check it reads such an archive back and checks
// its layout and metadata (what CI does where no container can run).
//
//	go run ./server/cmd/image -binary bin/undersigned -out bin/undersigned-image.tar -tag undersigned:dev
//	go run ./server/cmd/image -check bin/undersigned-image.tar
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// The image's user: a fixed numeric id, so that Kubernetes' runAsNonRoot can
// check it and a bind-mounted /data can be chowned to it.
const (
	uid    = 10001
	binary = "/usr/local/bin/undersigned"
)

func main() {
	bin := flag.String("binary", "bin/undersigned", "the static binary to ship")
	out := flag.String("out", "bin/undersigned-image.tar", "the image archive to write")
	tag := flag.String("tag", "undersigned:dev", "the image's name and tag")
	check := flag.String("check", "", "check this image archive instead of building one")
	flag.Parse()
	var err error
	if *check != "" {
		err = checkImage(*check, *tag)
	} else {
		err = build(*bin, *out, *tag)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func build(bin, out, tag string) error {
	ref, err := name.NewTag(tag)
	if err != nil {
		return err
	}
	layer, err := rootLayer(bin)
	if err != nil {
		return err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = "amd64", "linux"
	cf.Created = v1.Time{Time: time.Unix(0, 0).UTC()} // reproducible
	cf.Config = v1.Config{
		User:         fmt.Sprintf("%d:%d", uid, uid),
		Entrypoint:   []string{binary},
		Cmd:          []string{"serve"},
		WorkingDir:   "/data",
		Env:          []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LISTEN_ADDR=0.0.0.0:8080", "DATA_DIR=/data", "ZONEINFO=/usr/share/zoneinfo"},
		ExposedPorts: map[string]struct{}{"8080/tcp": {}},
		Volumes:      map[string]struct{}{"/data": {}},
		StopSignal:   "SIGTERM",
		Labels:       map[string]string{"org.opencontainers.image.title": "undersigned", "org.opencontainers.image.version": ref.TagStr()},
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return err
	}
	return tarball.WriteToFile(out, ref, img)
}

// rootLayer is the image's one layer.
func rootLayer(bin string) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Unix(0, 0)
	dir := func(name string, mode int64, owner int) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, Uid: owner, Gid: owner, ModTime: mtime})
	}
	file := func(name string, mode int64, body []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(body)), ModTime: mtime}); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	for _, d := range []string{"etc", "etc/ssl", "etc/ssl/certs", "usr", "usr/local", "usr/local/bin", "usr/share"} {
		if err := dir(d, 0o755, 0); err != nil {
			return nil, err
		}
	}
	if err := dir("tmp", 0o1777, 0); err != nil {
		return nil, err
	}
	if err := dir("data", 0o700, uid); err != nil {
		return nil, err
	}
	if err := file("etc/passwd", 0o644, fmt.Appendf(nil, "root:x:0:0:root:/root:/sbin/nologin\nundersigned:x:%d:%d:undersigned:/data:/sbin/nologin\n", uid, uid)); err != nil {
		return nil, err
	}
	if err := file("etc/group", 0o644, fmt.Appendf(nil, "root:x:0:\nundersigned:x:%d:\n", uid)); err != nil {
		return nil, err
	}
	// CA certificates (SMTP over TLS, PostgreSQL with verify-full) and the
	// IANA time zones (scheduled digests), from the build machine's Debian.
	certs, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		return nil, fmt.Errorf("CA certificates (apt-get install ca-certificates): %w", err)
	}
	if err := file("etc/ssl/certs/ca-certificates.crt", 0o644, certs); err != nil {
		return nil, err
	}
	if err := copyTree(tw, "/usr/share/zoneinfo", "usr/share/zoneinfo", mtime); err != nil {
		return nil, fmt.Errorf("time zones (apt-get install tzdata): %w", err)
	}
	exe, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	if err := file(strings.TrimPrefix(binary, "/"), 0o755, exe); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
}

func copyTree(tw *tar.Writer, from, to string, mtime time.Time) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		target := filepath.ToSlash(filepath.Join(to, rel))
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: target + "/", Mode: 0o755, ModTime: mtime})
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: target, Linkname: link, Mode: 0o777, ModTime: mtime})
		case info.Mode().IsRegular():
			body, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: target, Mode: 0o644, Size: int64(len(body)), ModTime: mtime}); err != nil {
				return err
			}
			_, err = tw.Write(body)
			return err
		}
		return nil
	})
}
