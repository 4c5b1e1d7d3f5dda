// Self-signed certificates for tests, made with the `openssl` CLI (the product's X.509 code lives
// elsewhere): an EC P-256 key and a certificate for the given DNS names, valid 30 days, and its
// serial as lowercase hex (as Envoy's /certs prints it).
//
//   TestCertificate c = makeTestCertificate({"a.test"});
//   c.chain_pem; c.key_pem; c.serial;
#pragma once

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_common/test_env.h"

namespace ingress::testing {

struct TestCertificate {
  std::string chain_pem;
  std::string key_pem;
  std::string serial;  // lowercase hex, no leading zeros; empty when openssl failed
};

inline std::string readWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline TestCertificate makeTestCertificate(const std::vector<std::string>& names) {
  TempDir dir;
  std::string san;
  for (const auto& n : names) san += (san.empty() ? "DNS:" : ",DNS:") + n;
  const std::string cn = names.empty() ? "ingressd test" : names[0];
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -keyout " +
      dir.file("key.pem") + " -out " + dir.file("cert.pem") + " -subj '/CN=" + cn + "'" +
      (san.empty() ? "" : " -addext 'subjectAltName=" + san + "'") + " >/dev/null 2>&1 && " +
      "openssl x509 -in " + dir.file("cert.pem") + " -noout -serial > " + dir.file("serial");
  TestCertificate c;
  if (std::system(cmd.c_str()) != 0) return c;
  c.chain_pem = readWholeFile(dir.file("cert.pem"));
  c.key_pem = readWholeFile(dir.file("key.pem"));
  std::string serial = readWholeFile(dir.file("serial"));  // "serial=0A1B..."
  if (auto eq = serial.find('='); eq != std::string::npos) serial = serial.substr(eq + 1);
  for (char ch : serial) {
    if (std::isxdigit(static_cast<unsigned char>(ch))) {
      c.serial.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    }
  }
  c.serial.erase(0, std::min(c.serial.find_first_not_of('0'), c.serial.size() - 1));
  return c;
}

}  // namespace ingress::testing
