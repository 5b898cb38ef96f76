#include "harness/net/url.h"

#include <cctype>
#include <charconv>

namespace h2soak::net {

Result<Url> parse_url(std::string_view text) {
  const std::string where(text);
  Url url;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return Error("expected http://host[:port]/path or https://...", where);
  url.scheme = std::string(text.substr(0, sep));
  for (auto& c : url.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (url.scheme != "http" && url.scheme != "https") return Error("scheme must be http or https", where);
  std::string_view rest = text.substr(sep + 3);
  auto slash = rest.find_first_of("/?");
  std::string_view hostport = rest.substr(0, slash);
  url.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (url.path.front() == '?') url.path.insert(url.path.begin(), '/');
  if (hostport.empty()) return Error("missing host", where);

  std::string_view port_text;
  if (hostport.front() == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) return Error("unterminated [IPv6] host", where);
    url.host = std::string(hostport.substr(1, close - 1));
    auto after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Error("unexpected text after ]", where);
      port_text = after.substr(1);
    }
  } else {
    auto colon = hostport.rfind(':');
    if (colon != std::string_view::npos) {
      url.host = std::string(hostport.substr(0, colon));
      port_text = hostport.substr(colon + 1);
    } else {
      url.host = std::string(hostport);
    }
  }
  if (url.host.empty()) return Error("missing host", where);
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return Error("invalid port \"" + std::string(port_text) + "\"", where);
    url.port = static_cast<std::uint16_t>(port);
  } else {
    url.port = url.tls() ? 443 : 80;
  }
  const bool v6 = url.host.find(':') != std::string::npos;
  url.authority = v6 ? "[" + url.host + "]" : url.host;
  if (!port_text.empty()) url.authority += ":" + std::to_string(url.port);
  return url;
}

}  // namespace h2soak::net
