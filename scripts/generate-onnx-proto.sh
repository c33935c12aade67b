#!/usr/bin/env bash
# Regenerates Sources/GraftExport/ONNX/onnx_subset.pb.swift from onnx_subset.proto beside it.
#
# The generated Swift is committed, so neither the package nor CI builds swift-protobuf's plugin
# (its build takes minutes). Run this after editing the .proto, with:
#   - protoc: Debian's protobuf-compiler (apt-get install -y protobuf-compiler);
#   - protoc-gen-swift of the swift-protobuf version Package.swift names, built once outside
#     this repository, e.g.
#       git clone https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#       cd /tmp/swift-protobuf && git checkout 1.39.0 && swift build -c release --product protoc-gen-swift
#     and passed as PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift (default)
#     or found on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

folder=Sources/GraftExport/ONNX
plugin=${PROTOC_GEN_SWIFT:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}
if [ ! -x "$plugin" ]; then
  plugin=$(command -v protoc-gen-swift || true)
fi
if [ -z "$plugin" ]; then
  echo "generate-onnx-proto: no protoc-gen-swift (set PROTOC_GEN_SWIFT; see the comment at the top of $0)" >&2
  exit 1
fi
if ! command -v protoc >/dev/null; then
  echo "generate-onnx-proto: no protoc (apt-get install -y protobuf-compiler)" >&2
  exit 1
fi

# Internal visibility: the ONNX messages are GraftExport's own business, not part of its API.
protoc --plugin=protoc-gen-swift="$plugin" --proto_path="$folder" \
  --swift_opt=Visibility=Internal --swift_out="$folder" "$folder/onnx_subset.proto"
echo "wrote $folder/onnx_subset.pb.swift"
