#include "exe/settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace ingress::exe {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Env = std::map<std::string, std::string, std::less<>>;

EnvLookup lookupIn(const Env& env) {
  return [env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

StatusOr<Settings> load(const Env& env) { return loadSettings(lookupIn(env)); }

// The settings, or a default-constructed one after a failed assertion.
Settings loadOk(const Env& env) {
  auto s = load(env);
  EXPECT_TRUE(s.ok()) << s.status().toString();
  return s.ok() ? *s : Settings{};
}

// --- defaults ------------------------------------------------------------------------------

TEST(LoadSettingsTest, EmptyEnvironmentGivesAllDefaults) {
  Settings s = loadOk({});
  EXPECT_EQ(s.data_dir, "/var/lib/hypeman");
  EXPECT_EQ(s.envoy_listen_address, "0.0.0.0");
  EXPECT_EQ(s.envoy_admin_address, "127.0.0.1");
  EXPECT_EQ(s.envoy_admin_port, 9901);
  EXPECT_FALSE(s.envoy_admin_allow_non_loopback);
  EXPECT_FALSE(s.envoy_stop_on_shutdown);
  EXPECT_EQ(s.envoy_binary, "");
  EXPECT_EQ(s.envoy_drain_time_s, 5);
  EXPECT_EQ(s.envoy_parent_shutdown_time_s, 10);
  EXPECT_EQ(s.envoy_log_level, "info");
  EXPECT_EQ(s.envoy_ready_timeout, std::chrono::seconds(30));
  EXPECT_EQ(s.envoy_apply_timeout, std::chrono::seconds(10));
  EXPECT_EQ(s.api_listen, "127.0.0.1:8080");
  EXPECT_EQ(s.metrics_listen, "127.0.0.1:9464");
  EXPECT_EQ(s.jwt_secret, "");
  EXPECT_EQ(s.log_level, "info");
  EXPECT_EQ(s.hypeman_api_url, "");
  EXPECT_EQ(s.hypeman_api_token, "");
}

// --- valid values --------------------------------------------------------------------------

TEST(LoadSettingsTest, DataDirTrailingSlashesAreStripped) {
  EXPECT_EQ(loadOk({{"DATA_DIR", "/srv/ingress//"}}).data_dir, "/srv/ingress");
}

TEST(LoadSettingsTest, DataDirRootStaysRoot) {
  EXPECT_EQ(loadOk({{"DATA_DIR", "/"}}).data_dir, "/");
}

TEST(LoadSettingsTest, ListenAddressAcceptsIpv6) {
  EXPECT_EQ(loadOk({{"ENVOY_LISTEN_ADDRESS", "::"}}).envoy_listen_address, "::");
}

TEST(LoadSettingsTest, AdminAddressAcceptsIpv6Loopback) {
  EXPECT_EQ(loadOk({{"ENVOY_ADMIN_ADDRESS", "::1"}}).envoy_admin_address, "::1");
}

TEST(LoadSettingsTest, AdminAddressAcceptsAnyOf127Slash8) {
  EXPECT_EQ(loadOk({{"ENVOY_ADMIN_ADDRESS", "127.0.0.2"}}).envoy_admin_address, "127.0.0.2");
}

TEST(LoadSettingsTest, NonLoopbackAdminAddressAcceptedWhenAllowed) {
  Settings s =
      loadOk({{"ENVOY_ADMIN_ADDRESS", "10.0.0.1"}, {"ENVOY_ADMIN_ALLOW_NON_LOOPBACK", "true"}});
  EXPECT_EQ(s.envoy_admin_address, "10.0.0.1");
  EXPECT_TRUE(s.envoy_admin_allow_non_loopback);
}

TEST(LoadSettingsTest, AdminPortBounds) {
  EXPECT_EQ(loadOk({{"ENVOY_ADMIN_PORT", "1"}}).envoy_admin_port, 1);
  EXPECT_EQ(loadOk({{"ENVOY_ADMIN_PORT", "65535"}}).envoy_admin_port, 65535);
}

TEST(LoadSettingsTest, BooleansAcceptTrueOneYesInAnyCase) {
  for (const char* v : {"true", "TRUE", "1", "yes", "Yes"}) {
    SCOPED_TRACE(v);
    EXPECT_TRUE(loadOk({{"ENVOY_STOP_ON_SHUTDOWN", v}}).envoy_stop_on_shutdown);
  }
}

TEST(LoadSettingsTest, BooleansAcceptFalseZeroNo) {
  for (const char* v : {"false", "False", "0", "no"}) {
    SCOPED_TRACE(v);
    EXPECT_FALSE(loadOk({{"ENVOY_STOP_ON_SHUTDOWN", v}}).envoy_stop_on_shutdown);
  }
}

TEST(LoadSettingsTest, EnvoyBinaryAbsolutePath) {
  EXPECT_EQ(loadOk({{"ENVOY_BINARY", "/opt/envoy/bin/envoy"}}).envoy_binary,
            "/opt/envoy/bin/envoy");
}

TEST(LoadSettingsTest, DrainTimeAlsoMovesTheDefaultParentShutdown) {
  Settings s = loadOk({{"ENVOY_DRAIN_TIME_S", "20"}});
  EXPECT_EQ(s.envoy_drain_time_s, 20);
  EXPECT_EQ(s.envoy_parent_shutdown_time_s, 25);
}

TEST(LoadSettingsTest, DrainTimeZeroIsAllowed) {
  Settings s = loadOk({{"ENVOY_DRAIN_TIME_S", "0"}});
  EXPECT_EQ(s.envoy_drain_time_s, 0);
  EXPECT_EQ(s.envoy_parent_shutdown_time_s, 5);
}

TEST(LoadSettingsTest, ExplicitParentShutdownWins) {
  Settings s = loadOk({{"ENVOY_DRAIN_TIME_S", "20"}, {"ENVOY_PARENT_SHUTDOWN_TIME_S", "21"}});
  EXPECT_EQ(s.envoy_drain_time_s, 20);
  EXPECT_EQ(s.envoy_parent_shutdown_time_s, 21);
}

TEST(LoadSettingsTest, EnvoyLogLevel) {
  EXPECT_EQ(loadOk({{"ENVOY_LOG_LEVEL", "warning"}}).envoy_log_level, "warning");
}

TEST(LoadSettingsTest, TimeoutsAreSeconds) {
  Settings s = loadOk({{"ENVOY_READY_TIMEOUT", "45"}, {"ENVOY_APPLY_TIMEOUT", "7"}});
  EXPECT_EQ(s.envoy_ready_timeout, std::chrono::seconds(45));
  EXPECT_EQ(s.envoy_apply_timeout, std::chrono::seconds(7));
}

TEST(LoadSettingsTest, ApiListenAcceptsBracketedIpv6) {
  EXPECT_EQ(loadOk({{"API_LISTEN", "[::1]:8080"}}).api_listen, "[::1]:8080");
}

TEST(LoadSettingsTest, ApiListenAcceptsIpv4AndPortZero) {
  EXPECT_EQ(loadOk({{"API_LISTEN", "0.0.0.0:0"}}).api_listen, "0.0.0.0:0");
}

TEST(LoadSettingsTest, MetricsListenAcceptsIpv4Ipv6AndPortZero) {
  EXPECT_EQ(loadOk({{"METRICS_LISTEN", "0.0.0.0:0"}}).metrics_listen, "0.0.0.0:0");
  EXPECT_EQ(loadOk({{"METRICS_LISTEN", "[::1]:9464"}}).metrics_listen, "[::1]:9464");
}

TEST(LoadSettingsTest, OtelEndpointAcceptsHostNamesUrlsAndBracketedIpv6) {
  Settings s = loadOk({{"OTEL_ENDPOINT", "http://otel-collector.example:4318/"}});
  EXPECT_EQ(s.otel_collector_host, "otel-collector.example");
  EXPECT_EQ(s.otel_collector_port, 4318);
  s = loadOk({{"OTEL_ENDPOINT", "[::1]:4317"}});
  EXPECT_EQ(s.otel_collector_host, "::1");
  EXPECT_EQ(s.otel_collector_port, 4317);
}

TEST(LoadSettingsTest, JwtSecretOfSixteenCharacters) {
  EXPECT_EQ(loadOk({{"JWT_SECRET", "0123456789abcdef"}}).jwt_secret, "0123456789abcdef");
}

TEST(LoadSettingsTest, LogLevel) { EXPECT_EQ(loadOk({{"LOG_LEVEL", "warn"}}).log_level, "warn"); }

TEST(LoadSettingsTest, HypemanApiUrlAndToken) {
  Settings s = loadOk(
      {{"HYPEMAN_API_URL", "https://hypeman.example:8443/api"}, {"HYPEMAN_API_TOKEN", "tok en"}});
  EXPECT_EQ(s.hypeman_api_url, "https://hypeman.example:8443/api");
  EXPECT_EQ(s.hypeman_api_token, "tok en");
}

TEST(LoadSettingsTest, EmptyHypemanApiUrlMeansBuiltInRegistry) {
  EXPECT_EQ(loadOk({{"HYPEMAN_API_URL", ""}}).hypeman_api_url, "");
}

// --- invalid values: the exact message, naming the variable ---------------------------------

struct InvalidCase {
  std::string name;
  Env env;
  std::string message;
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }

class InvalidSettingTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidSettingTest, IsRefusedWithAMessageNamingTheVariable) {
  auto s = load(GetParam().env);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(), GetParam().message);
}

const char kIntRange1To65535[] = "an integer from 1 to 65535";

INSTANTIATE_TEST_SUITE_P(
    LoadSettings, InvalidSettingTest,
    ::testing::Values(
        InvalidCase{"RelativeDataDir",
                    {{"DATA_DIR", "data"}},
                    "DATA_DIR=\"data\" is invalid: expected an absolute path"},
        InvalidCase{"EmptyDataDir",
                    {{"DATA_DIR", ""}},
                    "DATA_DIR=\"\" is invalid: expected an absolute path"},
        InvalidCase{"HostnameListenAddress",
                    {{"ENVOY_LISTEN_ADDRESS", "localhost"}},
                    "ENVOY_LISTEN_ADDRESS=\"localhost\" is invalid: expected an IPv4 or IPv6 "
                    "address"},
        InvalidCase{"BadAdminAddress",
                    {{"ENVOY_ADMIN_ADDRESS", "127.0.0.1:9901"}},
                    "ENVOY_ADMIN_ADDRESS=\"127.0.0.1:9901\" is invalid: expected an IPv4 or "
                    "IPv6 address"},
        InvalidCase{"NonLoopbackAdminAddress",
                    {{"ENVOY_ADMIN_ADDRESS", "10.0.0.1"}},
                    "ENVOY_ADMIN_ADDRESS=\"10.0.0.1\" is not a loopback address; Envoy's admin "
                    "API controls the proxy, so set ENVOY_ADMIN_ALLOW_NON_LOOPBACK=true to "
                    "expose it on purpose"},
        InvalidCase{"NonLoopbackAdminAddressExplicitlyNotAllowed",
                    {{"ENVOY_ADMIN_ADDRESS", "::"}, {"ENVOY_ADMIN_ALLOW_NON_LOOPBACK", "false"}},
                    "ENVOY_ADMIN_ADDRESS=\"::\" is not a loopback address; Envoy's admin API "
                    "controls the proxy, so set ENVOY_ADMIN_ALLOW_NON_LOOPBACK=true to expose "
                    "it on purpose"},
        InvalidCase{
            "AdminPortZero",
            {{"ENVOY_ADMIN_PORT", "0"}},
            std::string("ENVOY_ADMIN_PORT=\"0\" is invalid: expected ") + kIntRange1To65535},
        InvalidCase{
            "AdminPortTooLarge",
            {{"ENVOY_ADMIN_PORT", "65536"}},
            std::string("ENVOY_ADMIN_PORT=\"65536\" is invalid: expected ") + kIntRange1To65535},
        InvalidCase{
            "AdminPortNegative",
            {{"ENVOY_ADMIN_PORT", "-1"}},
            std::string("ENVOY_ADMIN_PORT=\"-1\" is invalid: expected ") + kIntRange1To65535},
        InvalidCase{
            "AdminPortNotANumber",
            {{"ENVOY_ADMIN_PORT", "99o1"}},
            std::string("ENVOY_ADMIN_PORT=\"99o1\" is invalid: expected ") + kIntRange1To65535},
        InvalidCase{"AdminPortEmpty",
                    {{"ENVOY_ADMIN_PORT", ""}},
                    std::string("ENVOY_ADMIN_PORT=\"\" is invalid: expected ") + kIntRange1To65535},
        InvalidCase{"AdminPortHuge",
                    {{"ENVOY_ADMIN_PORT", "99999999999999999999"}},
                    std::string("ENVOY_ADMIN_PORT=\"99999999999999999999\" is invalid: "
                                "expected ") +
                        kIntRange1To65535},
        InvalidCase{"AllowNonLoopbackNotABool",
                    {{"ENVOY_ADMIN_ALLOW_NON_LOOPBACK", "maybe"}},
                    "ENVOY_ADMIN_ALLOW_NON_LOOPBACK=\"maybe\" is invalid: expected true or "
                    "false"},
        InvalidCase{"StopOnShutdownNotABool",
                    {{"ENVOY_STOP_ON_SHUTDOWN", "on"}},
                    "ENVOY_STOP_ON_SHUTDOWN=\"on\" is invalid: expected true or false"},
        InvalidCase{"RelativeEnvoyBinary",
                    {{"ENVOY_BINARY", "envoy"}},
                    "ENVOY_BINARY=\"envoy\" is invalid: expected an absolute path"},
        InvalidCase{"EmptyEnvoyBinary",
                    {{"ENVOY_BINARY", ""}},
                    "ENVOY_BINARY=\"\" is invalid: expected an absolute path"},
        InvalidCase{"DrainTimeTooLarge",
                    {{"ENVOY_DRAIN_TIME_S", "3601"}},
                    "ENVOY_DRAIN_TIME_S=\"3601\" is invalid: expected an integer from 0 to 3600"},
        InvalidCase{"ParentShutdownZero",
                    {{"ENVOY_PARENT_SHUTDOWN_TIME_S", "0"}},
                    "ENVOY_PARENT_SHUTDOWN_TIME_S=\"0\" is invalid: expected an integer from 1 "
                    "to 7200"},
        InvalidCase{"ParentShutdownEqualToDrain",
                    {{"ENVOY_PARENT_SHUTDOWN_TIME_S", "5"}},
                    "ENVOY_PARENT_SHUTDOWN_TIME_S (5) must be greater than ENVOY_DRAIN_TIME_S "
                    "(5)"},
        InvalidCase{"ParentShutdownBelowDrain",
                    {{"ENVOY_DRAIN_TIME_S", "30"}, {"ENVOY_PARENT_SHUTDOWN_TIME_S", "20"}},
                    "ENVOY_PARENT_SHUTDOWN_TIME_S (20) must be greater than ENVOY_DRAIN_TIME_S "
                    "(30)"},
        InvalidCase{"EnvoyLogLevel",
                    {{"ENVOY_LOG_LEVEL", "warn"}},
                    "ENVOY_LOG_LEVEL=\"warn\" is invalid: expected trace, debug, info, warning, "
                    "error, critical or off"},
        InvalidCase{"ReadyTimeoutZero",
                    {{"ENVOY_READY_TIMEOUT", "0"}},
                    "ENVOY_READY_TIMEOUT=\"0\" is invalid: expected an integer from 1 to 3600"},
        InvalidCase{"ApplyTimeoutWithUnit",
                    {{"ENVOY_APPLY_TIMEOUT", "10s"}},
                    "ENVOY_APPLY_TIMEOUT=\"10s\" is invalid: expected an integer from 1 to 3600"},
        InvalidCase{"ApiListenWithoutPort",
                    {{"API_LISTEN", "8080"}},
                    "API_LISTEN=\"8080\" is invalid: missing port"},
        InvalidCase{"ApiListenWithoutHost",
                    {{"API_LISTEN", ":8080"}},
                    "API_LISTEN=\":8080\" is invalid: missing host"},
        InvalidCase{"ApiListenHostname",
                    {{"API_LISTEN", "localhost:8080"}},
                    "API_LISTEN=\"localhost:8080\" is invalid: host must be an IP address"},
        InvalidCase{"ApiListenUnbracketedIpv6",
                    {{"API_LISTEN", "::1:8080"}},
                    "API_LISTEN=\"::1:8080\" is invalid: IPv6 addresses go in brackets, e.g. "
                    "[::1]:8080"},
        InvalidCase{"ApiListenPortTooLarge",
                    {{"API_LISTEN", "127.0.0.1:65536"}},
                    "API_LISTEN=\"127.0.0.1:65536\" is invalid: port must be 0..65535"},
        InvalidCase{"MetricsListenWithoutPort",
                    {{"METRICS_LISTEN", "9464"}},
                    "METRICS_LISTEN=\"9464\" is invalid: missing port"},
        InvalidCase{"MetricsListenHostname",
                    {{"METRICS_LISTEN", "localhost:9464"}},
                    "METRICS_LISTEN=\"localhost:9464\" is invalid: host must be an IP "
                    "address"},
        InvalidCase{"MetricsListenUnbracketedIpv6",
                    {{"METRICS_LISTEN", "::1:9464"}},
                    "METRICS_LISTEN=\"::1:9464\" is invalid: IPv6 addresses go in brackets, "
                    "e.g. [::1]:9464"},
        InvalidCase{"OtelEndpointUnbracketedIpv6",
                    {{"OTEL_ENDPOINT", "::1:4317"}},
                    "OTEL_ENDPOINT=\"::1:4317\" is invalid: IPv6 addresses go in brackets, "
                    "e.g. [::1]:4317"},
        InvalidCase{"OtelEndpointPortZero",
                    {{"OTEL_ENDPOINT", "collector:0"}},
                    "OTEL_ENDPOINT=\"collector:0\" is invalid: port must be 1..65535"},
        InvalidCase{"OtelEndpointBadHost",
                    {{"OTEL_ENDPOINT", "http://user@collector:4317"}},
                    "OTEL_ENDPOINT=\"http://user@collector:4317\" is invalid: invalid host "
                    "name"},
        InvalidCase{"MetricsListenPortTooLarge",
                    {{"METRICS_LISTEN", "127.0.0.1:65536"}},
                    "METRICS_LISTEN=\"127.0.0.1:65536\" is invalid: port must be 0..65535"},
        InvalidCase{"ShortJwtSecret",
                    {{"JWT_SECRET", "0123456789abcde"}},
                    "JWT_SECRET=\"<hidden>\" is invalid: expected at least 16 characters"},
        InvalidCase{"LogLevel",
                    {{"LOG_LEVEL", "warning"}},
                    "LOG_LEVEL=\"warning\" is invalid: expected debug, info, warn or error"},
        InvalidCase{"HypemanApiUrlScheme",
                    {{"HYPEMAN_API_URL", "ftp://hypeman"}},
                    "HYPEMAN_API_URL=\"ftp://hypeman\" is invalid: expected an http:// or "
                    "https:// URL"}),
    [](const ::testing::TestParamInfo<InvalidCase>& param_info) { return param_info.param.name; });

TEST(LoadSettingsTest, ShortJwtSecretIsNotEchoed) {
  auto s = load({{"JWT_SECRET", "hunter2-secret"}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), Not(HasSubstr("hunter2")));
}

// --- address helpers -----------------------------------------------------------------------

TEST(LoadSettingsTest, TokenMaxLifetimeDefaultsToThirtyDaysAndIsBounded) {
  EXPECT_EQ(loadOk({}).token_max_lifetime, std::chrono::seconds(2'592'000));
  EXPECT_EQ(loadOk({{"TOKEN_MAX_LIFETIME", "3600"}}).token_max_lifetime,
            std::chrono::seconds(3600));
  EXPECT_EQ(loadOk({{"TOKEN_MAX_LIFETIME", "60"}}).token_max_lifetime, std::chrono::seconds(60));
  EXPECT_EQ(loadOk({{"TOKEN_MAX_LIFETIME", "31622400"}}).token_max_lifetime,
            std::chrono::seconds(31'622'400));
  for (const char* value : {"0", "59", "31622401", "1h", "-5", ""}) {
    auto s = load({{"TOKEN_MAX_LIFETIME", value}});
    ASSERT_FALSE(s.ok()) << value;
    EXPECT_EQ(s.status().message(), std::string("TOKEN_MAX_LIFETIME=\"") + value +
                                        "\" is invalid: expected an integer from 60 to 31622400");
  }
}

TEST(IsLoopbackAddressTest, AcceptsIpv4LoopbackRangeAndIpv6Loopback) {
  EXPECT_TRUE(isLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(isLoopbackAddress("127.255.255.254"));
  EXPECT_TRUE(isLoopbackAddress("::1"));
  EXPECT_TRUE(isLoopbackAddress("0:0:0:0:0:0:0:1"));
}

TEST(IsLoopbackAddressTest, RejectsOtherAddressesAndNonLiterals) {
  EXPECT_FALSE(isLoopbackAddress("10.0.0.1"));
  EXPECT_FALSE(isLoopbackAddress("128.0.0.1"));
  EXPECT_FALSE(isLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(isLoopbackAddress("::"));
  EXPECT_FALSE(isLoopbackAddress("fe80::1"));
  EXPECT_FALSE(isLoopbackAddress("localhost"));
  EXPECT_FALSE(isLoopbackAddress("[::1]"));
  EXPECT_FALSE(isLoopbackAddress(""));
}

}  // namespace
}  // namespace ingress::exe

namespace ingress::exe {
namespace {

TEST(LoadSettingsTest, EnvoyLogMaxBytesIsValidated) {
  EXPECT_EQ(load({})->envoy_log_max_bytes, 64ull << 20);
  EXPECT_EQ(load({{"ENVOY_LOG_MAX_BYTES", "1000000"}})->envoy_log_max_bytes, 1000000u);
  auto too_small = load({{"ENVOY_LOG_MAX_BYTES", "100"}});
  ASSERT_FALSE(too_small.ok());
  EXPECT_NE(too_small.status().message().find("ENVOY_LOG_MAX_BYTES"), std::string::npos);
  EXPECT_FALSE(load({{"ENVOY_LOG_MAX_BYTES", "lots"}}).ok());
}

}  // namespace
}  // namespace ingress::exe

namespace ingress::exe {
namespace {

TEST(LoadSettingsTest, HypemanCacheTtlDefaultsToFiveSecondsAndZeroTurnsItOff) {
  EXPECT_EQ(loadOk({}).hypeman_cache_ttl, std::chrono::seconds(5));
  EXPECT_EQ(loadOk({{"HYPEMAN_CACHE_TTL", "30"}}).hypeman_cache_ttl, std::chrono::seconds(30));
  EXPECT_EQ(loadOk({{"HYPEMAN_CACHE_TTL", "0"}}).hypeman_cache_ttl, std::chrono::seconds(0));
}

TEST(LoadSettingsTest, InstanceReconcileIntervalDefaultsToTenSecondsAndZeroTurnsItOff) {
  EXPECT_EQ(loadOk({}).instance_reconcile_interval, std::chrono::seconds(10));
  EXPECT_EQ(loadOk({{"INSTANCE_RECONCILE_INTERVAL", "60"}}).instance_reconcile_interval,
            std::chrono::seconds(60));
  EXPECT_EQ(loadOk({{"INSTANCE_RECONCILE_INTERVAL", "0"}}).instance_reconcile_interval,
            std::chrono::seconds(0));
}

TEST(LoadSettingsTest, InvalidCacheTtlAndReconcileIntervalNameTheVariable) {
  struct Case {
    const char* var;
    const char* value;
    const char* message;
  };
  const Case cases[] = {
      {"HYPEMAN_CACHE_TTL", "5s",
       "HYPEMAN_CACHE_TTL=\"5s\" is invalid: expected an integer "
       "from 0 to 3600"},
      {"HYPEMAN_CACHE_TTL", "-1",
       "HYPEMAN_CACHE_TTL=\"-1\" is invalid: expected an integer "
       "from 0 to 3600"},
      {"HYPEMAN_CACHE_TTL", "3601",
       "HYPEMAN_CACHE_TTL=\"3601\" is invalid: expected an "
       "integer from 0 to 3600"},
      {"INSTANCE_RECONCILE_INTERVAL", "",
       "INSTANCE_RECONCILE_INTERVAL=\"\" is invalid: "
       "expected an integer from 0 to 86400"},
      {"INSTANCE_RECONCILE_INTERVAL", "86401",
       "INSTANCE_RECONCILE_INTERVAL=\"86401\" is "
       "invalid: expected an integer from 0 to 86400"},
  };
  for (const Case& c : cases) {
    auto s = load({{c.var, c.value}});
    ASSERT_FALSE(s.ok()) << c.var << "=" << c.value;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.status().message(), c.message);
  }
}

// --- API caps, timeouts and sizes; caps on stored ingresses ---

TEST(LoadSettingsTest, ApiBoundsDefaults) {
  Settings s = loadOk({});
  EXPECT_EQ(s.api_max_connections, 1024u);
  EXPECT_EQ(s.api_max_connections_per_client, 256u);
  EXPECT_EQ(s.api_request_timeout, std::chrono::seconds(10));
  EXPECT_EQ(s.api_idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(s.api_max_body_bytes, 1u << 20);
  EXPECT_EQ(s.api_max_header_bytes, 16u << 10);
  EXPECT_EQ(s.max_ingresses, 20000u);
  EXPECT_EQ(s.max_rules_per_ingress, 100u);
  EXPECT_EQ(s.max_listener_ports, 32u);
}

TEST(LoadSettingsTest, ApiBoundsAreRead) {
  Settings s = loadOk({{"API_MAX_CONNECTIONS", "20"},
                       {"API_REQUEST_TIMEOUT", "2"},
                       {"API_IDLE_TIMEOUT", "3"},
                       {"API_MAX_BODY_BYTES", "4096"},
                       {"API_MAX_HEADER_BYTES", "2048"},
                       {"MAX_INGRESSES", "7"},
                       {"MAX_RULES_PER_INGRESS", "5"},
                       {"MAX_LISTENER_PORTS", "9"}});
  EXPECT_EQ(s.api_max_connections, 20u);
  EXPECT_EQ(s.api_max_connections_per_client, 20u);  // the default, capped by the total
  EXPECT_EQ(s.api_request_timeout, std::chrono::seconds(2));
  EXPECT_EQ(s.api_idle_timeout, std::chrono::seconds(3));
  EXPECT_EQ(s.api_max_body_bytes, 4096u);
  EXPECT_EQ(s.api_max_header_bytes, 2048u);
  EXPECT_EQ(s.max_ingresses, 7u);
  EXPECT_EQ(s.max_rules_per_ingress, 5u);
  EXPECT_EQ(s.max_listener_ports, 9u);
}

TEST(LoadSettingsTest, InvalidApiBoundsNameTheVariable) {
  for (const auto& [var, value] :
       std::vector<std::pair<std::string, std::string>>{{"API_MAX_CONNECTIONS", "0"},
                                                        {"API_MAX_CONNECTIONS_PER_CLIENT", "x"},
                                                        {"API_REQUEST_TIMEOUT", "0"},
                                                        {"API_IDLE_TIMEOUT", "-1"},
                                                        {"API_MAX_BODY_BYTES", "10"},
                                                        {"API_MAX_HEADER_BYTES", "99999999"},
                                                        {"MAX_INGRESSES", "0"},
                                                        {"MAX_RULES_PER_INGRESS", "101"},
                                                        {"MAX_LISTENER_PORTS", "0"},
                                                        {"MAX_LISTENER_PORTS", "1025"}}) {
    auto s = load({{var, value}});
    ASSERT_FALSE(s.ok()) << var;
    EXPECT_EQ(std::string(s.status().message()).rfind(var + "=\"" + value + "\" is invalid", 0), 0u)
        << s.status().message();
  }
  auto both = load({{"API_MAX_CONNECTIONS", "10"}, {"API_MAX_CONNECTIONS_PER_CLIENT", "11"}});
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().message(),
            "API_MAX_CONNECTIONS_PER_CLIENT (11) must not exceed API_MAX_CONNECTIONS (10)");
}

// --- TARGET_DENY_CIDRS ---

TEST(LoadSettingsTest, TargetDenyCidrsDefaultDeniesLoopbackLinkLocalMulticastBroadcast) {
  Settings s = loadOk({});
  std::vector<std::string> got;
  for (const Cidr& c : s.target_deny_cidrs) got.push_back(formatCidr(c));
  EXPECT_THAT(got, ::testing::UnorderedElementsAre("127.0.0.0/8", "::1/128", "169.254.0.0/16",
                                                   "fe80::/10", "224.0.0.0/4", "ff00::/8",
                                                   "255.255.255.255/32", "0.0.0.0/8", "::/128"));
  auto in = [&](std::string_view ip) {
    for (const Cidr& c : s.target_deny_cidrs) {
      if (c.contains(*parseIpAddress(ip))) return true;
    }
    return false;
  };
  EXPECT_TRUE(in("127.0.0.1"));
  EXPECT_TRUE(in("::ffff:127.0.0.1"));
  EXPECT_TRUE(in("169.254.169.254"));
  EXPECT_TRUE(in("239.1.1.1"));
  EXPECT_TRUE(in("255.255.255.255"));
  EXPECT_TRUE(in("0.0.0.0"));
  EXPECT_FALSE(in("10.0.0.1"));
  EXPECT_FALSE(in("2001:db8::1"));
}

TEST(LoadSettingsTest, TargetDenyCidrsIsReadAndMayBeEmpty) {
  Settings s = loadOk({{"TARGET_DENY_CIDRS", "10.0.0.0/8, fd00::/8"}});
  ASSERT_EQ(s.target_deny_cidrs.size(), 2u);
  EXPECT_EQ(formatCidr(s.target_deny_cidrs[1]), "fd00::/8");
  EXPECT_TRUE(loadOk({{"TARGET_DENY_CIDRS", ""}}).target_deny_cidrs.empty());
}

TEST(LoadSettingsTest, InvalidTargetDenyCidrsNamesTheVariableAndTheItem) {
  auto s = load({{"TARGET_DENY_CIDRS", "127.0.0.0/8,10.0.0.1/8"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(),
              HasSubstr("TARGET_DENY_CIDRS=\"127.0.0.0/8,10.0.0.1/8\" is invalid: item 2"));
  EXPECT_THAT(s.status().message(), HasSubstr("host bits are set"));
}

TEST(LoadSettingsTest, EnvoyEdgeLimitDefaults) {
  Settings s = loadOk({});
  EXPECT_EQ(s.envoy_request_headers_timeout, std::chrono::seconds(10));
  EXPECT_EQ(s.envoy_idle_timeout, std::chrono::seconds(300));
  EXPECT_EQ(s.envoy_stream_idle_timeout, std::chrono::seconds(300));
  EXPECT_EQ(s.envoy_request_timeout, std::chrono::seconds(0));
  EXPECT_EQ(s.envoy_max_request_headers_kb, 60u);
  EXPECT_EQ(s.envoy_max_headers_count, 100u);
  EXPECT_EQ(s.envoy_max_connections_per_listener, 10000u);
  EXPECT_EQ(s.envoy_max_downstream_connections, 0u) << "0: sized from the descriptor limit";
  EXPECT_EQ(s.envoy_max_heap_bytes, 1ull << 30);
}

TEST(LoadSettingsTest, EnvoyEdgeLimitsFromTheEnvironment) {
  Settings s = loadOk({{"ENVOY_REQUEST_HEADERS_TIMEOUT", "1"},
                       {"ENVOY_IDLE_TIMEOUT", "2"},
                       {"ENVOY_STREAM_IDLE_TIMEOUT", "0"},
                       {"ENVOY_REQUEST_TIMEOUT", "60"},
                       {"ENVOY_MAX_REQUEST_HEADERS_KB", "8192"},
                       {"ENVOY_MAX_HEADERS_COUNT", "20"},
                       {"ENVOY_MAX_CONNECTIONS_PER_LISTENER", "5"},
                       {"ENVOY_MAX_DOWNSTREAM_CONNECTIONS", "6"},
                       {"ENVOY_MAX_HEAP_BYTES", "67108864"}});
  EXPECT_EQ(s.envoy_request_headers_timeout, std::chrono::seconds(1));
  EXPECT_EQ(s.envoy_idle_timeout, std::chrono::seconds(2));
  EXPECT_EQ(s.envoy_stream_idle_timeout, std::chrono::seconds(0));
  EXPECT_EQ(s.envoy_request_timeout, std::chrono::seconds(60));
  EXPECT_EQ(s.envoy_max_request_headers_kb, 8192u);
  EXPECT_EQ(s.envoy_max_headers_count, 20u);
  EXPECT_EQ(s.envoy_max_connections_per_listener, 5u);
  EXPECT_EQ(s.envoy_max_downstream_connections, 6u);
  EXPECT_EQ(s.envoy_max_heap_bytes, 64ull << 20);
}

TEST(LoadSettingsTest, InvalidEnvoyEdgeLimitsNameTheVariable) {
  for (const auto& [var, value] :
       std::vector<std::pair<std::string, std::string>>{{"ENVOY_REQUEST_HEADERS_TIMEOUT", "0"},
                                                        {"ENVOY_IDLE_TIMEOUT", "0"},
                                                        {"ENVOY_STREAM_IDLE_TIMEOUT", "-1"},
                                                        {"ENVOY_REQUEST_TIMEOUT", "1s"},
                                                        {"ENVOY_MAX_REQUEST_HEADERS_KB", "8193"},
                                                        {"ENVOY_MAX_HEADERS_COUNT", "0"},
                                                        {"ENVOY_MAX_CONNECTIONS_PER_LISTENER", "0"},
                                                        {"ENVOY_MAX_DOWNSTREAM_CONNECTIONS", "0"},
                                                        {"ENVOY_MAX_HEAP_BYTES", "1048576"}}) {
    auto s = load({{var, value}});
    ASSERT_FALSE(s.ok()) << var;
    EXPECT_EQ(std::string(s.status().message()).rfind(var + "=\"" + value + "\" is invalid", 0), 0u)
        << s.status().message();
  }
}

}  // namespace
}  // namespace ingress::exe

namespace ingress::exe {
namespace {

TEST(LoadTlsSettingsTest, AcmeIsOffUntilConfiguredAndDefaultsToLetsEncrypt) {
  Settings s = loadOk({});
  EXPECT_FALSE(s.acme_enabled);
  EXPECT_EQ(s.acme_directory_url, "https://acme-v02.api.letsencrypt.org/directory");
  EXPECT_EQ(s.http_port, 80);
  EXPECT_EQ(s.dns_propagation_timeout, std::chrono::seconds(120));
  s = loadOk({{"ACME_EMAIL", "ops@example.com"}});
  EXPECT_TRUE(s.acme_enabled);
  s = loadOk({{"ACME_DIRECTORY_URL", "https://127.0.0.1:14000/dir"},
              {"ACME_DNS_PROVIDER", "exec"},
              {"ACME_DNS_HOOK", "/usr/local/bin/dns-hook"},
              {"DNS_RESOLVERS", "127.0.0.1:8053, 10.0.0.1"},
              {"HTTP_PORT", "8080"}});
  EXPECT_TRUE(s.acme_enabled);
  EXPECT_EQ(s.dns_resolvers, (std::vector<std::string>{"127.0.0.1:8053", "10.0.0.1"}));
  EXPECT_EQ(s.http_port, 8080);
}

TEST(LoadTlsSettingsTest, BadValuesNameTheVariable) {
  auto msg = [](const Env& env) { return load(env).status().message(); };
  EXPECT_NE(msg({{"ACME_EMAIL", "nope"}}).find("ACME_EMAIL"), std::string::npos);
  EXPECT_NE(msg({{"ACME_DIRECTORY_URL", "ftp://x"}}).find("ACME_DIRECTORY_URL"), std::string::npos);
  EXPECT_NE(msg({{"ACME_DNS_PROVIDER", "route53"}}).find("ACME_DNS_PROVIDER"), std::string::npos);
  EXPECT_NE(msg({{"ACME_DNS_PROVIDER", "cloudflare"}}).find("CLOUDFLARE_API_TOKEN"),
            std::string::npos);
  EXPECT_NE(msg({{"ACME_DNS_PROVIDER", "exec"}}).find("ACME_DNS_HOOK"), std::string::npos);
  EXPECT_NE(msg({{"DNS_RESOLVERS", "not-an-ip"}}).find("DNS_RESOLVERS"), std::string::npos);
  EXPECT_NE(msg({{"HTTP_PORT", "0"}}).find("HTTP_PORT"), std::string::npos);
}

}  // namespace
}  // namespace ingress::exe
