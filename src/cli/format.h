// What ingressctl prints: aligned tables of API answers and one-line error descriptions.
//
//   ID          NAME   HOSTNAME        PORT   TLS               TARGET     STATUS   CREATED
//   k3v9x0...   web    a.example.com   80     -                 vm1:8080   active   2025-...
//   k3v9x0...   web    b.example.com   443    active+redirect   vm1:8080   active   2025-...
//
// Tables tolerate missing or oddly typed fields ("-" is printed) because the server may be newer
// than the CLI; control characters in server strings are replaced so they cannot forge lines.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"

namespace ingress::cli {

// Columns separated by three spaces, each as wide as its widest cell; no trailing spaces;
// every line ends with '\n'. The first row is the header.
std::string formatTable(const std::vector<std::vector<std::string>>& rows);

// ID NAME HOSTNAME PORT TLS TARGET STATUS CREATED, one line per rule (an ingress without rules
// gets one line of "-"). Accepts an array of ingresses or a single ingress object.
// TLS is "-" for a plain rule, else the certificate's state (pending, active, renewing, failed;
// "tls" when the server sent none), followed by "+redirect" when the rule has redirect_http.
std::string formatIngressTable(const Json& ingresses);

// NAME SOURCE NAMES EXPIRES SERIAL SERVING (lists joined with ","; EXPIRES is not_after).
// Accepts an array of certificates or a single certificate object.
std::string formatCertificateTable(const Json& certificates);

// NAME IP. Accepts an array of instances or a single instance object.
std::string formatInstanceTable(const Json& instances);

// "<message> (<code>)" from an API error body {"code","message"}; for anything else (a proxy's
// HTML page, an empty body) a short excerpt and "HTTP <status>" instead of the code.
std::string describeApiError(long http_status, std::string_view body);

}  // namespace ingress::cli
