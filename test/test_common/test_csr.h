// Test-only CSRs and certificate checks (OpenSSL API), until the product's CSR code (src/tls)
// lands: a fresh P-256 key and a DER CSR whose SANs are the given names, and chain
// verification against a root.
//
//   TestCsr csr = makeTestCsr({"a.example.test", "*.example.test"});
//   client.issue(names, csr.der);
//   std::string error = verifyChain(chain_pem, root_pem, "a.example.test");  // "" = ok
#pragma once

#include <string>
#include <vector>

namespace ingress::testing {

struct TestCsr {
  std::string der;      // the CSR, DER
  std::string key_pem;  // its private key, PKCS#8 PEM
};

// Aborts the test binary on OpenSSL failure (test code only).
TestCsr makeTestCsr(const std::vector<std::string>& names);

// Verifies that the first certificate of `chain_pem` chains (through the others) to
// `root_pem` and covers `name`. Empty string when it does; OpenSSL's reason otherwise.
std::string verifyChain(const std::string& chain_pem, const std::string& root_pem,
                        const std::string& name);

// Number of certificates in a PEM bundle.
int countCertificates(const std::string& pem);

}  // namespace ingress::testing
