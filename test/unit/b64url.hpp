// A base64url encoder (unpadded, RFC 4648 section 5) for the token tests,
// written independently of the one under test (src/core/jws.cpp), so that a
// token built by hand does not share that code's mistakes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mycelium::test {

inline std::string b64url(std::string_view data) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : data) {
        buffer = (buffer << 8) | static_cast<unsigned char>(c);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(buffer >> bits) & 0x3f];
        }
    }
    if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
    return out;
}

}  // namespace mycelium::test
