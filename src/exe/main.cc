// ingressd: the ingress manager daemon (placeholder until the subcommands land).
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"ingressd"};
  CLI11_PARSE(app, argc, argv);
  return 0;
}
