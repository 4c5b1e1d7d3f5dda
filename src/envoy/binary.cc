#include "envoy/binary.h"

#include <sys/stat.h>
#include <zstd.h>

#include <memory>

#include "common/log.h"
#include "common/sha256.h"

namespace ingress::envoy {

std::string majorMinorDir(std::string_view version) {
  auto first = version.find('.');
  auto second = first == std::string_view::npos ? first : version.find('.', first + 1);
  return "v" + std::string(version.substr(0, second));
}

std::string extractedEnvoyPath(const std::string& data_dir, const EnvoyBinarySource& source) {
  return joinPath(data_dir, "system/binaries/envoy/" + majorMinorDir(source.version) + "/" +
                                source.arch + "/envoy");
}

StatusOr<std::string> zstdDecompress(std::string_view compressed, size_t max_bytes) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!ctx) return internalError("ZSTD_createDCtx failed");
  std::string out;
  unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR) return invalidArgument("not a zstd frame");
  if (size != ZSTD_CONTENTSIZE_UNKNOWN && size <= max_bytes) out.reserve(size);
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  size_t rc = 1;
  while (in.pos < in.size || rc != 0) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    rc = ZSTD_decompressStream(ctx.get(), &o, &in);
    if (ZSTD_isError(rc)) {
      return invalidArgument(std::string("zstd: ") + ZSTD_getErrorName(rc));
    }
    if (out.size() + o.pos > max_bytes) return resourceExhausted("decompressed data too large");
    out.append(chunk.data(), o.pos);
    if (in.pos == in.size && o.pos == 0 && rc != 0) return invalidArgument("zstd: truncated frame");
  }
  return out;
}

StatusOr<ExtractResult> ensureExtracted(Filesystem& fs, const std::string& data_dir,
                                        const EnvoyBinarySource& source) {
  ExtractResult result;
  result.path = extractedEnvoyPath(data_dir, source);
  auto info = fs.stat(result.path);
  if (info.ok() && info->is_regular) {
    auto hash = sha256File(result.path);
    if (hash.ok() && *hash == source.sha256) {
      if ((info->mode & 0777) == 0755) return result;
    } else {
      log::warn("extracted Envoy does not match the pinned hash; replacing it",
                {{"path", result.path}, {"sha256", hash.ok() ? *hash : hash.status().message()}});
    }
  }
  INGRESS_RETURN_IF_ERROR(fs.makeDirs(dirName(result.path), 0755));
  INGRESS_ASSIGN_OR_RETURN(std::string binary,
                           zstdDecompress(source.compressed_zstd, size_t{1} << 31));
  if (sha256Hex(binary) != source.sha256) {
    return internalError("the embedded Envoy does not match its pinned sha256 (corrupt build?)");
  }
  // Not fsynced: the file is a cache that is trusted only after its hash is checked (at every
  // start of serve and of the supervisor), so one torn by a power loss is extracted again then,
  // and an fsync of ~100 MB would hold up Envoy's respawn by 0.1-1 s.
  INGRESS_RETURN_IF_ERROR(fs.writeFileAtomicNoSync(result.path, binary, 0755));
  result.replaced = true;
  log::info("extracted Envoy", {{"path", result.path}, {"version", source.version}});
  return result;
}

BinaryGuard::BinaryGuard(Filesystem& fs, std::string data_dir, EnvoyBinarySource source)
    : fs_(fs),
      data_dir_(std::move(data_dir)),
      source_(std::move(source)),
      path_(extractedEnvoyPath(data_dir_, source_)) {}

std::optional<BinaryGuard::Identity> BinaryGuard::identity() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return Identity{.dev = st.st_dev,
                  .ino = st.st_ino,
                  .size = static_cast<int64_t>(st.st_size),
                  .mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec,
                  .ctime_ns = int64_t{st.st_ctim.tv_sec} * 1000000000 + st.st_ctim.tv_nsec,
                  .mode = static_cast<uint32_t>(st.st_mode & 07777)};
}

StatusOr<ExtractResult> BinaryGuard::ensure() {
  const auto before = identity();
  if (before && verified_ && *before == *verified_) return ExtractResult{path_, false};
  if (!before) log::warn("the extracted Envoy is missing; extracting it again", {{"path", path_}});
  verified_.reset();
  INGRESS_ASSIGN_OR_RETURN(ExtractResult r, ensureExtracted(fs_, data_dir_, source_));
  verified_ = identity();
  return r;
}

}  // namespace ingress::envoy
