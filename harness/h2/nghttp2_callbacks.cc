// The nghttp2 C callbacks of Http2Session: each casts user_data and forwards.
// No logic lives here (STYLE.md habit 2).

#include <nghttp2/nghttp2.h>

#include "harness/h2/http2_session.h"

namespace h2soak::h2 {
namespace {

Http2Session& self(void* user_data) { return *static_cast<Http2Session*>(user_data); }

int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  return self(user_data).handle_begin_headers(frame);
}

int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
              const uint8_t* value, size_t valuelen, uint8_t, void* user_data) {
  return self(user_data).handle_header(frame, name, namelen, value, valuelen);
}

int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  return self(user_data).handle_frame_recv(frame);
}

int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  return self(user_data).handle_frame_send(frame);
}

int on_data_chunk_recv(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                       void* user_data) {
  return self(user_data).handle_data_chunk(stream_id, data, len);
}

int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user_data) {
  return self(user_data).handle_stream_close(stream_id, error_code);
}

int on_invalid_frame_recv(nghttp2_session*, const nghttp2_frame*, int, void* user_data) {
  self(user_data).handle_protocol_error();
  return 0;
}

}  // namespace

// The data provider's read callback (the source is the stream's record).
ssize_t read_request_body(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* data_flags,
                          nghttp2_data_source* source, void* user_data) {
  return self(user_data).read_body(*static_cast<net::StreamRecord*>(source->ptr), buf, length, data_flags);
}

const nghttp2_session_callbacks* client_callbacks() {
  static nghttp2_session_callbacks* const callbacks = [] {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(cb, on_invalid_frame_recv);
    return cb;
  }();
  return callbacks;
}

}  // namespace h2soak::h2
