// Which keys a token is to be verified with, read from the token before
// anything is verified: its algorithm (an HS256 token goes to the database's
// own key, any other to an identity service's), its issuer and the
// organization it names (which service of which organization). Never trusted
// beyond that choice: the token is then verified with those keys, and the
// issuer and organization checked again from the verified claims.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mycelium::core {

struct TokenRoute {
    std::string algorithm;              // the header's "alg"
    std::optional<std::string> issuer;  // the payload's "iss", if a string
    std::optional<std::string>
        organization_id;  // "organization_id", or app_metadata's, if a string
};

// Throws Error(InvalidAuthorization) ("authenticate: token is malformed") for a
// token that is not three strict base64url parts with a JSON object as header
// (with an "alg" string) and as payload, or that is longer than
// kContextMaxInputBytes.
TokenRoute route_token(std::string_view token);

}  // namespace mycelium::core
