#include "address.hpp"

#include <netinet/in.h>

#include <cstdint>

namespace mycelium_worker {
namespace {

bool public_v4(std::uint32_t a) {  // host byte order
    auto in = [a](std::uint32_t net, int bits) {
        const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t(0) << (32 - bits);
        return (a & mask) == net;
    };
    return !(in(0x00000000, 8) ||   // "this network"
             in(0x0A000000, 8) ||   // 10/8
             in(0x64400000, 10) ||  // 100.64/10, shared address space
             in(0x7F000000, 8) ||   // loopback
             in(0xA9FE0000, 16) ||  // 169.254/16, link-local (cloud metadata)
             in(0xAC100000, 12) ||  // 172.16/12
             in(0xC0000000, 24) ||  // 192.0.0/24, protocol assignments
             in(0xC0A80000, 16) ||  // 192.168/16
             in(0xC6120000, 15) ||  // 198.18/15, benchmarking
             in(0xE0000000, 4) ||   // multicast
             in(0xF0000000, 4));    // reserved, broadcast
}

}  // namespace

bool is_public_address(const sockaddr *address) {
    if (address == nullptr) return false;
    if (address->sa_family == AF_INET) {
        const auto *v4 = reinterpret_cast<const sockaddr_in *>(address);
        return public_v4(ntohl(v4->sin_addr.s_addr));
    }
    if (address->sa_family != AF_INET6) return false;
    const auto *v6 = reinterpret_cast<const sockaddr_in6 *>(address);
    const unsigned char *b = v6->sin6_addr.s6_addr;
    bool zero_prefix = true;  // the first 10 bytes
    for (int i = 0; i < 10; ++i) zero_prefix = zero_prefix && b[i] == 0;
    if (zero_prefix && b[10] == 0xff && b[11] == 0xff)  // ::ffff:a.b.c.d
        return public_v4(std::uint32_t(b[12]) << 24 | std::uint32_t(b[13]) << 16 |
                         std::uint32_t(b[14]) << 8 | std::uint32_t(b[15]));
    if (zero_prefix && b[10] == 0 && b[11] == 0) return false;  // ::, ::1, IPv4-compatible
    if ((b[0] & 0xfe) == 0xfc) return false;                    // fc00::/7, unique local
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;    // fe80::/10, link-local
    if (b[0] == 0xff) return false;                             // multicast
    return true;
}

}  // namespace mycelium_worker
