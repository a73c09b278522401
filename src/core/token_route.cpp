#include "core/token_route.hpp"

#include "core/jws.hpp"

namespace mycelium::core {

namespace {

std::optional<std::string> string_member(const jws::json &object, const char *name) {
    const jws::json *value = jws::member(object, name);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    return value->get<std::string>();
}

}  // namespace

TokenRoute route_token(std::string_view token) {
    const jws::CompactParts parts = jws::split_compact(token);
    const jws::json header = jws::decode_header(parts.header);
    TokenRoute route;
    route.algorithm = jws::header_algorithm(header);
    std::string payload_json;
    if (parts.payload.empty() || !jws::base64url_decode(parts.payload, payload_json))
        throw jws::malformed("The payload is not base64url.");
    const jws::json claims = jws::parse_payload(payload_json);
    route.issuer = string_member(claims, "iss");
    route.organization_id = string_member(claims, "organization_id");
    if (!route.organization_id) {
        const jws::json *metadata = jws::member(claims, "app_metadata");
        if (metadata != nullptr && metadata->is_object())
            route.organization_id = string_member(*metadata, "organization_id");
    }
    return route;
}

}  // namespace mycelium::core
