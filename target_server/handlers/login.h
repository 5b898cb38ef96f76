#pragma once
// "/login[?user=NAME]": creates a session and sets "sid" (HttpOnly) for the session TTL.

#include "target_server/exchange.h"
#include "target_server/session_store.h"

namespace h2soak::server {

/// The user name from the query (letters, digits, '-', '_', at most 32), default "guest".
std::string login_user(std::string_view target);

Response login_response(const Request& req, SessionStore& sessions);

}  // namespace h2soak::server
