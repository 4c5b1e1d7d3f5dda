#include "test_common/test_csr.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace ingress::testing {
namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test_csr: %s failed\n", what);
    std::abort();
  }
}

std::vector<X509*> readCerts(const std::string& pem) {
  std::vector<X509*> out;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (X509* c = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out.push_back(c);
  BIO_free(bio);
  return out;
}

}  // namespace

TestCsr makeTestCsr(const std::vector<std::string>& names) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  check(key != nullptr, "EVP_EC_gen");
  X509_REQ* req = X509_REQ_new();
  X509_NAME* subject = X509_REQ_get_subject_name(req);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(names.at(0).c_str()), -1, -1,
                             0);
  std::string san;
  for (const std::string& n : names) san += (san.empty() ? "DNS:" : ",DNS:") + n;
  STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
  check(ext != nullptr, "subjectAltName");
  sk_X509_EXTENSION_push(exts, ext);
  check(X509_REQ_add_extensions(req, exts) == 1, "X509_REQ_add_extensions");
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  check(X509_REQ_set_pubkey(req, key) == 1, "X509_REQ_set_pubkey");
  check(X509_REQ_sign(req, key, EVP_sha256()) > 0, "X509_REQ_sign");
  TestCsr out;
  unsigned char* der = nullptr;
  int len = i2d_X509_REQ(req, &der);
  check(len > 0, "i2d_X509_REQ");
  out.der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  out.key_pem.assign(data, static_cast<size_t>(n));
  BIO_free(bio);
  X509_REQ_free(req);
  EVP_PKEY_free(key);
  return out;
}

std::string verifyChain(const std::string& chain_pem, const std::string& root_pem,
                        const std::string& name) {
  std::vector<X509*> chain = readCerts(chain_pem);
  std::vector<X509*> roots = readCerts(root_pem);
  if (chain.empty()) return "no certificate in the chain";
  if (roots.empty()) return "no root certificate";
  X509_STORE* store = X509_STORE_new();
  for (X509* r : roots) X509_STORE_add_cert(store, r);
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  for (size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted, chain[i]);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, chain[0], untrusted);
  X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), name.c_str(), 0);
  std::string error;
  if (X509_verify_cert(ctx) != 1) {
    error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  }
  X509_STORE_CTX_free(ctx);
  sk_X509_free(untrusted);
  X509_STORE_free(store);
  for (X509* c : chain) X509_free(c);
  for (X509* r : roots) X509_free(r);
  return error;
}

int countCertificates(const std::string& pem) {
  int n = 0;
  for (size_t p = pem.find("-----BEGIN CERTIFICATE-----"); p != std::string::npos;
       p = pem.find("-----BEGIN CERTIFICATE-----", p + 1)) {
    ++n;
  }
  return n;
}

}  // namespace ingress::testing
