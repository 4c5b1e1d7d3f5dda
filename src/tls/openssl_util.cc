#include "tls/openssl_util.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "tls/x509.h"

namespace ingress::tls::internal {

ErrorQueueCleaner::~ErrorQueueCleaner() { ERR_clear_error(); }

Status certificateError(std::string message, std::string_view reason) {
  return invalidArgument("certificate: " + message, std::string(reason));
}

Status keyError(std::string message, std::string_view reason) {
  return invalidArgument("key: " + message, std::string(reason));
}

std::string bioContents(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  if (length <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(length));
}

OsslPtr<X509> parseCertificateDer(const unsigned char* data, long length) {
  const unsigned char* p = data;
  OsslPtr<X509> cert(d2i_X509(nullptr, &p, length));
  if (!cert || p != data + length) return nullptr;
  return cert;
}

namespace {

// Never prompts (the default callback would read a passphrase from the terminal).
int noPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

}  // namespace

StatusOr<OsslPtr<EVP_PKEY>> parsePrivateKey(const std::string& key_pem) {
  if (key_pem.size() > kMaxPemBytes) return keyError("larger than 64 KiB");
  if (key_pem.find("-----BEGIN ") == std::string::npos) {
    return keyError("no PEM block (expected \"-----BEGIN PRIVATE KEY-----\")");
  }
  if (key_pem.find("ENCRYPTED") != std::string::npos) {
    return keyError("encrypted keys are not supported; upload the key without a passphrase");
  }
  OsslPtr<BIO> bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  if (!bio) return internalError("key: out of memory");
  OsslPtr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
  if (!key) return keyError("not a PEM private key (PKCS#8, EC or RSA)");
  int type = EVP_PKEY_get_base_id(key.get());
  if (type != EVP_PKEY_EC && type != EVP_PKEY_RSA) {
    return keyError("only EC and RSA keys are supported", "key_unsupported");
  }
  return key;
}

StatusOr<std::string> privateKeyPem(EVP_PKEY* key) {
  OsslPtr<BIO> bio(BIO_new(BIO_s_secmem()));
  if (!bio) return internalError("key: out of memory");
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return internalError("key: cannot encode as PKCS#8 PEM");
  }
  return bioContents(bio.get());
}

StatusOr<std::string> certificatePem(X509* cert) {
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return internalError("certificate: cannot encode as PEM");
  }
  return bioContents(bio.get());
}

std::string formatTime(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  if (gmtime_r(&seconds, &tm) == nullptr) return "?";
  char buf[32];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

bool isPlausibleDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

StatusOr<OsslPtr<X509_EXTENSION>> makeDnsSanExtension(const std::vector<std::string>& names) {
  GENERAL_NAMES* gens = sk_GENERAL_NAME_new_null();
  if (gens == nullptr) return internalError("out of memory");
  auto free_gens = [](GENERAL_NAMES* g) { GENERAL_NAMES_free(g); };
  std::unique_ptr<GENERAL_NAMES, decltype(free_gens)> owned(gens, free_gens);
  for (const std::string& name : names) {
    GENERAL_NAME* gen = GENERAL_NAME_new();
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (gen == nullptr || value == nullptr ||
        ASN1_STRING_set(value, name.data(), static_cast<int>(name.size())) != 1) {
      GENERAL_NAME_free(gen);
      ASN1_IA5STRING_free(value);
      return internalError("out of memory");
    }
    GENERAL_NAME_set0_value(gen, GEN_DNS, value);
    if (sk_GENERAL_NAME_push(gens, gen) <= 0) {
      GENERAL_NAME_free(gen);
      return internalError("out of memory");
    }
  }
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_i2d(NID_subject_alt_name, 0, gens));
  if (!ext) return internalError("cannot encode the subjectAltName extension");
  return ext;
}

}  // namespace ingress::tls::internal
