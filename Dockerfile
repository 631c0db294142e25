# Image of the suivi binary, for `suivi worker`, `suivi serve` and
# `suivi migrate` against an external Temporal and Postgres (see
# docker-compose.yml). `suivi dev` is meant for a workstation, not this image.
#
#   docker build --build-arg VERSION=$(git describe --always) -t suivi .

# Build stage: the Go toolchain the module asks for (go.mod says 1.26).
FROM golang:1.26-bookworm AS build
WORKDIR /src

# Dependencies first, in their own layer, so editing code does not
# re-download the modules.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
ARG VERSION=dev
# CGO off: a static binary runs on the distroless base, which has no libc.
# The migrations are embedded (go:embed), so the binary is all we ship.
# -trimpath and -s -w keep build paths and debug symbols out of the image.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/suivi ./cmd/suivi

# Final stage: no shell, no package manager, CA certificates included (for
# TLS to a managed Postgres or Temporal Cloud), runs as the nonroot user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/suivi /suivi
USER nonroot:nonroot
# The port of `suivi serve`; set SUIVI_HTTP_ADDR=0.0.0.0:8080 in a container,
# since the default 127.0.0.1 is unreachable from outside it.
EXPOSE 8080
ENTRYPOINT ["/suivi"]
CMD ["serve"]
