# syntax=docker/dockerfile:1
#
# undersigned: one static binary with the SPA embedded, run as a non-root user.
#
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t undersigned .
#   docker run -p 8080:8080 -v undersigned-data:/data --stop-timeout 30 undersigned
#
# Base images are pinned to full version tags; a release should also pin them
# by digest (image@sha256:...) once resolved against the registry.
#
# The build stages run on the build machine's platform ($BUILDPLATFORM) and the
# Go stage cross-compiles for $TARGETPLATFORM, so `docker buildx build
# --platform linux/amd64,linux/arm64` never runs npm or the compiler under
# emulation.

# ---- 1. the SPA --------------------------------------------------------------
# Vite 8 needs Node >= 20.19 (frontend/package.json "engines").
# spa builds frontend/dist with npm ci and vite build.
FROM --platform=$BUILDPLATFORM node:20.20.2-bookworm-slim AS spa
WORKDIR /src/frontend
# Dependencies first, so that editing the SPA's source reuses this layer.
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# ---- 2. the binary -----------------------------------------------------------
# build compiles the static binary with the SPA embedded.
FROM --platform=$BUILDPLATFORM golang:1.26.11-bookworm AS build
ARG TARGETOS
ARG TARGETARCH
# .git is not in the build context, so pass the version in (see the top).
# VERSION is what `undersigned version` and /healthz report.
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY server/ server/
COPY migrations/ migrations/
COPY mailers/ mailers/
COPY locale/ locale/
# Only the Go files of frontend/ and the JSON they embed (the interface
# dictionaries, CLDR data, field error texts): with the embedspa tag,
# frontend/embed.go embeds frontend/dist, which comes from the SPA stage.
COPY frontend/*.go frontend/
COPY frontend/src/lib/messages/ frontend/src/lib/messages/
COPY frontend/src/lib/cldr/ frontend/src/lib/cldr/
COPY frontend/src/lib/errors/ frontend/src/lib/errors/
COPY --from=spa /src/frontend/dist frontend/dist
# CGO_ENABLED=0: a fully static binary (SQLite runs as WebAssembly inside it),
# so the runtime image needs no C library of any kind.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -tags embedspa -trimpath -ldflags "-s -w -X main.version=$VERSION" \
        -o /out/undersigned ./server

# ---- 3. the runtime ----------------------------------------------------------
# Why Alpine and not distroless: gcr.io/distroless/static-debian12:nonroot is
# smaller and has no shell, but also nothing that could run a HEALTHCHECK, and
# the binary has no probe mode. Alpine's busybox wget probes /readyz with no
# extra code, for plain Docker and Compose; the cost is a few MB of busybox.
# The binary is static, so Alpine's musl is never used. Orchestrators that run
# their own probes (Kubernetes ignores HEALTHCHECK) should probe GET /readyz
# over HTTP, which answers 200 only when the database is reachable and its
# schema is current, and GET /healthz for liveness.
# runtime is the image that ships: the binary, a non-root user and /data.
FROM alpine:3.22.2 AS runtime
# ca-certificates: SMTP over TLS and PostgreSQL with sslmode=verify-full.
# tzdata: IANA time zones for scheduled digests.
# A fixed numeric UID/GID, so that Kubernetes' runAsNonRoot can check it and a
# bind-mounted /data can be chowned to it (chown 10001:10001 on the host).
RUN apk add --no-cache ca-certificates tzdata \
 && addgroup -S -g 10001 undersigned \
 && adduser -S -D -H -h /data -s /sbin/nologin -u 10001 -G undersigned undersigned \
 && mkdir -p /data \
 && chown undersigned:undersigned /data \
 && chmod 0700 /data
COPY --from=build /out/undersigned /usr/local/bin/undersigned
USER 10001:10001
WORKDIR /data
# DATA_DIR holds the SQLite file (when DATABASE_URL is unset) and the secrets
# generated when JWT_SECRET and DATA_KEY are unset: keep it on a volume.
ENV LISTEN_ADDR=0.0.0.0:8080 DATA_DIR=/data
VOLUME /data
EXPOSE 8080
# The port is taken from LISTEN_ADDR, so overriding it keeps the check right.
# The server stops gracefully on SIGTERM within SHUTDOWN_TIMEOUT (20s by
# default): give the container a longer stop grace period than Docker's 10s
# (docker stop -t 30, or stop_grace_period: 30s in Compose).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD wget -q -T 4 -O /dev/null "http://127.0.0.1:${LISTEN_ADDR##*:}/readyz" || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/undersigned"]
CMD ["serve"]
