# rolecall in a container: `docker build -t rolecall .`, then
# `docker run --rm -p 127.0.0.1:4566:4566 rolecall` (see README, "Run it in a
# container / in CI"). Not built by this repository's CI.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary (no cgo) with no build paths in it.
RUN CGO_ENABLED=0 go build -trimpath -o /out/rolecall ./cmd/rolecall \
 && mkdir /out/data

# distroless: no shell, no package manager; "nonroot" runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/rolecall /rolecall
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME /data
EXPOSE 4566
# No curl or wget here: rolecall asks its own /_rolecall/health.
HEALTHCHECK --interval=5s --timeout=3s --retries=3 CMD ["/rolecall", "health", "--endpoint", "http://127.0.0.1:4566"]
ENTRYPOINT ["/rolecall"]
# 0.0.0.0, to be reached through a published port; publish it on the host's
# loopback (-p 127.0.0.1:4566:4566): whoever reaches it is root.
CMD ["serve", "--addr", "0.0.0.0:4566", "--data-dir", "/data"]
