// mycelium.slugify(text).
#include "pg/boundary.hpp"

#include "core/slug.hpp"
#include "pg/text.hpp"

MYCELIUM_FUNCTION(mycelium_slugify) {
    const std::string slug = mycelium::core::slugify(mycelium::pg::text_arg_utf8(fcinfo, 0));
    PG_RETURN_TEXT_P(mycelium::pg::utf8_to_text(slug));
}
