#include "harness/net/stream.h"

namespace h2soak::net {

std::string_view error_class_name(ErrorClass c) {
  switch (c) {
    case ErrorClass::kNone: return "none";
    case ErrorClass::kConnectFailed: return "connect_failed";
    case ErrorClass::kTlsFailed: return "tls_failed";
    case ErrorClass::kRstStream: return "rst_stream";
    case ErrorClass::kGoaway: return "goaway";
    case ErrorClass::kTimeout: return "timeout";
    case ErrorClass::kProtocol: return "protocol_error";
    case ErrorClass::kPeerClosed: return "peer_closed";
    case ErrorClass::kCancelled: return "cancelled";
    case ErrorClass::kCount: break;
  }
  return "unknown";
}

}  // namespace h2soak::net
