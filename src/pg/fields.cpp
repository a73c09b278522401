// Custom-field validation in the database: the compiled-validator cache, the
// check of a field definition when it is saved, the trigger on deliverables and
// mycelium.validate_custom_fields().
//
// In steady state a row costs a hash look-up and the validation itself: a service
// type's definitions are read and compiled once per backend, and dropped in every
// backend when deliverable_fields or service_types change (announce_change).
#include <memory>
#include <string>
#include <unordered_map>

#include "core/error.hpp"
#include "core/fields.hpp"
#include "pg/boundary.hpp"
#include "pg/context.hpp"
#include "pg/invalidation.hpp"
#include "pg/spi.hpp"
#include "pg/text.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/uuid.h"
}

namespace {

using mycelium::core::Error;
using mycelium::core::ErrorKind;
using mycelium::core::FieldDefinition;
using mycelium::core::ServiceValidator;
using mycelium::pg::QueryParam;

struct CachedService {
    std::string name;  // the service type's name, for messages
    ServiceValidator validator;
};

// Per-backend, created on first use and never destroyed (see context.cpp).
//
// Entries are shared: a validation holds its own reference for as long as it
// runs, because the invalidation that drops an entry can be processed in the
// middle of it (any lock a USER_SELECT or CLIENT_SELECT look-up takes accepts
// pending invalidations). The callback only marks the cache stale; entries are
// dropped at the next look-up, outside any validation's use.
struct Cache {
    std::unordered_map<std::string, std::shared_ptr<const CachedService>> services;  // org/service
    // A service type's organization, for callers without a tenant context: the
    // service type id -> the one organization that has it (a missing or ambiguous
    // id is not kept, and is looked up again).
    std::unordered_map<std::string, std::string> organization_of;
    Oid fields_relid = InvalidOid;
    Oid service_types_relid = InvalidOid;
    bool callback_registered = false;
    bool stale = false;
};

Cache &cache() {
    static Cache *c = std::make_unique<Cache>().release();
    return *c;
}

void forget_validators(Datum, Oid relid) {
    Cache &c = cache();
    if (relid == InvalidOid || relid == c.fields_relid || relid == c.service_types_relid)
        c.stale = true;
}

std::optional<std::int32_t> int_cell(const std::optional<std::string> &s) {
    if (!s) return std::nullopt;
    return static_cast<std::int32_t>(std::stol(*s));
}

// The cache, emptied first if a change was announced since the last look-up.
Cache &fresh_cache() {
    Cache &c = cache();
    if (!c.callback_registered) {
        mycelium::pg::guard([] { CacheRegisterRelcacheCallback(forget_validators, 0); });
        c.callback_registered = true;
    }
    if (c.stale) {
        c.services.clear();
        c.organization_of.clear();
        // Read again: the extension may have been dropped and created since.
        c.fields_relid = InvalidOid;
        c.stale = false;
    }
    if (c.fields_relid == InvalidOid) {
        c.fields_relid = mycelium::pg::mycelium_relid("deliverable_fields");
        c.service_types_relid = mycelium::pg::mycelium_relid("service_types");
    }
    return c;
}

// The compiled validator of a service type, or nullptr when the organization has
// no such service type.
std::shared_ptr<const CachedService> service(const std::string &org,
                                             const std::string &service_type) {
    Cache &c = fresh_cache();
    const std::string key = org + "/" + service_type;
    auto it = c.services.find(key);
    if (it != c.services.end()) return it->second;

    static mycelium::pg::SavedQuery definitions(
        "SELECT st.name, f.slug, f.name, f.type, f.is_required, f.sort_order, "
        "       f.default_value, f.min_length, f.max_length, f.min_value, "
        "       f.max_value, f.pattern, f.options "
        "  FROM mycelium.service_types st "
        "  LEFT JOIN mycelium.deliverable_fields f "
        "         ON f.organization_id = st.organization_id AND f.service_type_id = st.id "
        " WHERE st.organization_id = $1 AND st.id = $2");
    const mycelium::pg::TextRows rows = mycelium::pg::query_as_owner(
        definitions, {QueryParam::uuid(org), QueryParam::uuid(service_type)});
    if (rows.size() == 0) return nullptr;
    std::vector<FieldDefinition> fields;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (!rows.at(r, 1)) continue;  // a service type without fields
        FieldDefinition f;
        f.slug = *rows.at(r, 1);
        f.name = *rows.at(r, 2);
        f.type = *mycelium::core::field_type_from_name(*rows.at(r, 3));
        f.is_required = *rows.at(r, 4) == "t";
        f.sort_order = *int_cell(rows.at(r, 5));
        f.default_value = rows.at(r, 6);
        f.min_length = int_cell(rows.at(r, 7));
        f.max_length = int_cell(rows.at(r, 8));
        f.min_value = rows.at(r, 9);
        f.max_value = rows.at(r, 10);
        f.pattern = rows.at(r, 11);
        f.options_json = rows.at(r, 12);
        fields.push_back(std::move(f));
    }
    auto entry = std::make_shared<const CachedService>(
        CachedService{*rows.at(0, 0), ServiceValidator::compile(std::move(fields))});
    c.services[key] = entry;
    return entry;
}

// USER_SELECT and CLIENT_SELECT: the id must belong to the deliverable's own
// organization (and a user be ACTIVE), whoever is asking.
class OrganizationReferences : public mycelium::core::ReferenceChecker {
  public:
    explicit OrganizationReferences(std::string org) : org_(std::move(org)) {}
    // Saved plans: these run once per USER_SELECT or CLIENT_SELECT value.
    bool active_user_exists(const std::string &uuid) const override {
        static mycelium::pg::SavedQuery user(
            "SELECT true FROM mycelium.users u "
            " WHERE u.organization_id = $1 AND u.id = $2 AND u.status = 'ACTIVE'");
        return mycelium::pg::query_as_owner(user, {QueryParam::uuid(org_), QueryParam::uuid(uuid)})
                   .size() == 1;
    }
    bool client_exists(const std::string &uuid) const override {
        static mycelium::pg::SavedQuery client(
            "SELECT true FROM mycelium.clients c WHERE c.organization_id = $1 AND c.id = $2");
        return mycelium::pg::query_as_owner(client,
                                            {QueryParam::uuid(org_), QueryParam::uuid(uuid)})
                   .size() == 1;
    }

  private:
    std::string org_;
};

// uuid_out's text (lower-case hex, 8-4-4-4-12), written without the function
// call and palloc: this runs on every validated row, twice in the trigger.
std::string uuid_text(Datum d) {
    static constexpr char hex[] = "0123456789abcdef";
    const unsigned char *bytes = DatumGetUUIDP(d)->data;
    std::string out;
    out.reserve(36);
    for (int i = 0; i < UUID_LEN; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(hex[bytes[i] >> 4]);
        out.push_back(hex[bytes[i] & 0x0F]);
    }
    return out;
}

std::string jsonb_text(Datum d) {
    return std::string(mycelium::pg::guard([&] {
        Jsonb *jb = DatumGetJsonbP(d);
        return JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
    }));
}

// Whether the current role may see the field definitions of org: a role outside
// row-level security sees every organization; any other role only its context's.
bool may_read_definitions(const std::string &org) {
    if (auto ctx = mycelium::pg::current_context()) {
        if (ctx->organization_id == org) return true;
    }
    return mycelium::pg::guard([] { return superuser() || has_bypassrls_privilege(GetUserId()); });
}

// Whether a deliverable in this status must have its required fields filled in.
bool enforces_required(const char *status) {
    const std::string s = status ? status : "";
    return s != "PENDING" && s != "CANCELLED" && s != "ARCHIVED" && s != "OVERDUE";
}

// A column of the trigger's relation by name, or an error naming it.
int attnum(TupleDesc desc, const char *name) {
    int n = mycelium::pg::guard([&] { return SPI_fnumber(desc, name); });
    if (n <= 0)
        throw Error(ErrorKind::Internal, std::string("check_custom_fields: no column ") + name);
    return n;
}

// The organization of a service type, for a caller without a tenant context:
// the one organization that has this id, or "" when none has (or two have: the
// key of service_types is the organization and the id). Kept until a service
// type changes, so that validating row after row runs no query.
std::string organization_of(const std::string &service_type) {
    Cache &c = fresh_cache();
    auto it = c.organization_of.find(service_type);
    if (it != c.organization_of.end()) return it->second;
    static mycelium::pg::SavedQuery owner_of(
        "SELECT st.organization_id FROM mycelium.service_types st WHERE st.id = $1");
    const auto rows = mycelium::pg::query_as_owner(owner_of, {QueryParam::uuid(service_type)});
    if (rows.size() != 1) return std::string();
    c.organization_of.emplace(service_type, *rows.at(0, 0));
    return *rows.at(0, 0);
}

// Materialize mode, as InitMaterializedSRF sets it up (the same checks and
// errors), but cheaper when the answer is empty, as it is for every valid row:
// no result descriptor built from the catalogue and no tuplestore; a
// materialize-mode function that leaves setResult NULL returns no rows (both
// nodeFunctionscan's and ProjectSet's callers say so). With rows, the descriptor
// is the one the caller expects, when it gives one.
ReturnSetInfo *materialize_problems(FunctionCallInfo fcinfo, bool has_rows) {
    return mycelium::pg::guard([&] {
        auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        if (has_rows) {
            const bool expected =
                rsinfo != nullptr && IsA(rsinfo, ReturnSetInfo) && rsinfo->expectedDesc != nullptr;
            InitMaterializedSRF(fcinfo, expected ? MAT_SRF_USE_EXPECTED_DESC : 0);
            return rsinfo;
        }
        if (rsinfo == nullptr || !IsA(rsinfo, ReturnSetInfo))
            ereport(ERROR,
                    (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                     errmsg("set-valued function called in context that cannot accept a set"),
                     mycelium::pg::errschema()));
        if (!(rsinfo->allowedModes & SFRM_Materialize))
            ereport(ERROR,
                    (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                     errmsg("materialize mode required, but it is not allowed in this context"),
                     mycelium::pg::errschema()));
        rsinfo->returnMode = SFRM_Materialize;
        rsinfo->setResult = nullptr;
        rsinfo->setDesc = nullptr;
        return rsinfo;
    });
}

}  // namespace

// BEFORE INSERT OR UPDATE OF custom_fields, service_type_id, status ON deliverables.
MYCELIUM_FUNCTION(mycelium_check_custom_fields) {
    auto *trigdata = reinterpret_cast<TriggerData *>(fcinfo->context);
    const bool valid_call = mycelium::pg::guard([&] {
        return CALLED_AS_TRIGGER(fcinfo) && TRIGGER_FIRED_BEFORE(trigdata->tg_event) &&
               TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) &&
               (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ||
                TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event));
    });
    if (!valid_call)
        throw Error(ErrorKind::Internal,
                    "check_custom_fields: must be fired BEFORE INSERT OR UPDATE FOR EACH ROW");
    const bool inserting = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
    HeapTuple tuple = inserting ? trigdata->tg_trigtuple : trigdata->tg_newtuple;
    TupleDesc desc = trigdata->tg_relation->rd_att;
    const int org_att = attnum(desc, "organization_id");
    const int service_att = attnum(desc, "service_type_id");
    const int status_att = attnum(desc, "status");
    const int fields_att = attnum(desc, "custom_fields");

    struct Values {
        Datum org, service, fields;
        bool org_null, service_null, fields_null;
        char *status;
    };
    Values *v = mycelium::pg::guard([&] {
        auto *out = static_cast<Values *>(palloc0(sizeof(Values)));
        out->org = SPI_getbinval(tuple, desc, org_att, &out->org_null);
        out->service = SPI_getbinval(tuple, desc, service_att, &out->service_null);
        out->fields = SPI_getbinval(tuple, desc, fields_att, &out->fields_null);
        out->status = SPI_getvalue(tuple, desc, status_att);
        return out;
    });
    // BEFORE ROW triggers run before the NOT NULL constraints are checked: a row
    // without its organization or service type is theirs to refuse.
    if (v->org_null || v->service_null) return PointerGetDatum(tuple);
    // Required fields wait until work starts, and no longer matter once it is
    // cancelled or archived; OVERDUE says only that the due date has passed (the
    // sweep sets it, also on drafts nobody has filled in yet).
    const bool enforce_required = enforces_required(v->status);

    // An update that keeps the values and the service type, and asks no more of
    // them than before, has nothing new to check: the sweep's status change
    // costs no validation.
    if (!inserting) {
        const bool unchanged = mycelium::pg::guard([&] {
            HeapTuple old_tuple = trigdata->tg_trigtuple;
            bool old_null = false;
            Datum old_service = SPI_getbinval(old_tuple, desc, service_att, &old_null);
            if (old_null) return false;
            Datum old_fields = SPI_getbinval(old_tuple, desc, fields_att, &old_null);
            const bool same_service = datumIsEqual(old_service, v->service, false, UUID_LEN);
            const bool same_fields = old_null == v->fields_null &&
                                     (old_null || datumIsEqual(old_fields, v->fields, false, -1));
            return same_service && same_fields;
        });
        if (unchanged) {
            char *old_status = mycelium::pg::guard(
                [&] { return SPI_getvalue(trigdata->tg_trigtuple, desc, status_att); });
            if (!enforce_required || enforces_required(old_status)) return PointerGetDatum(tuple);
        }
    }

    const std::string org = uuid_text(v->org);
    // A row aimed at another organization is row-level security's to refuse
    // (its WITH CHECK runs after this trigger); reading that organization's
    // definitions first would put them, and whether its service type exists,
    // into the error.
    if (!may_read_definitions(org)) return PointerGetDatum(tuple);
    const std::string service_type = uuid_text(v->service);
    const std::shared_ptr<const CachedService> svc = service(org, service_type);
    if (svc == nullptr) return PointerGetDatum(tuple);  // the foreign key reports it

    std::string values = v->fields_null ? std::string("{}") : jsonb_text(v->fields);
    bool changed = false;
    if (inserting) {
        if (auto filled = svc->validator.apply_defaults(values)) {
            values = std::move(*filled);
            changed = true;
        }
    }
    const auto problems =
        svc->validator.validate(values, enforce_required, OrganizationReferences(org));
    // Named as a CHECK violation names itself (docs/errors.md): the rule is the
    // trigger check_custom_fields, reported under the constraint name
    // <table>_custom_fields_valid, as the attachments' CHECK is <table>_attachments_valid.
    if (!problems.empty()) {
        Relation rel = trigdata->tg_relation;
        const char *schema =
            mycelium::pg::guard([&] { return get_namespace_name(RelationGetNamespace(rel)); });
        const std::string table = RelationGetRelationName(rel);
        throw Error(
            ErrorKind::CheckViolation,
            "deliverable custom_fields do not satisfy service type \"" + svc->name + "\"",
            mycelium::core::problems_to_json(problems),
            "The detail lists each problem as JSON: field, code, message (docs/custom-fields.md).")
            .in_table(schema, table)
            .in_column("custom_fields")
            .for_constraint(table + "_custom_fields_valid");
    }
    if (!changed) return PointerGetDatum(tuple);
    HeapTuple modified = mycelium::pg::guard([&] {
        Datum jb = DirectFunctionCall1(jsonb_in, CStringGetDatum(values.c_str()));
        bool isnull = false;
        int col = fields_att;
        return heap_modify_tuple_by_cols(tuple, desc, 1, &col, &jb, &isnull);
    });
    return PointerGetDatum(modified);
}

// BEFORE INSERT OR UPDATE ON deliverable_fields: a definition that cannot be
// compiled (a pattern that does not compile, options that are not a list, min
// above max, a default its own rules refuse) is refused when it is saved.
MYCELIUM_FUNCTION(mycelium_check_field_definition) {
    auto *trigdata = reinterpret_cast<TriggerData *>(fcinfo->context);
    if (!mycelium::pg::guard(
            [&] { return CALLED_AS_TRIGGER(fcinfo) && TRIGGER_FIRED_FOR_ROW(trigdata->tg_event); }))
        throw Error(ErrorKind::Internal, "check_field_definition: must be fired FOR EACH ROW");
    HeapTuple tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple
                                                                  : trigdata->tg_trigtuple;
    TupleDesc desc = trigdata->tg_relation->rd_att;
    auto text_of = [&](const char *column) -> std::optional<std::string> {
        const int n = attnum(desc, column);
        char *s = mycelium::pg::guard([&] { return SPI_getvalue(tuple, desc, n); });
        return s ? std::optional<std::string>(s) : std::nullopt;
    };
    FieldDefinition f;
    f.slug = text_of("slug").value_or("");
    f.name = text_of("name").value_or("");
    const auto type = mycelium::core::field_type_from_name(text_of("type").value_or(""));
    if (!type) return PointerGetDatum(tuple);  // NOT NULL and the enum report it
    f.type = *type;
    f.is_required = text_of("is_required").value_or("f") == "t";
    f.default_value = text_of("default_value");
    f.min_length = int_cell(text_of("min_length"));
    f.max_length = int_cell(text_of("max_length"));
    f.min_value = text_of("min_value");
    f.max_value = text_of("max_value");
    f.pattern = text_of("pattern");
    f.options_json = text_of("options");
    mycelium::core::FieldValidator::compile(std::move(f));
    return PointerGetDatum(tuple);
}

// validate_custom_fields(service_type_id uuid, values jsonb)
//   RETURNS TABLE(field_slug text, code text, message text)
MYCELIUM_FUNCTION(mycelium_validate_custom_fields) {
    if (PG_ARGISNULL(0))
        throw Error(ErrorKind::InvalidParameter,
                    "validate_custom_fields: service_type_id must not be NULL");
    const std::string service_type = uuid_text(PG_GETARG_DATUM(0));
    const std::string values = PG_ARGISNULL(1) ? std::string("{}") : jsonb_text(PG_GETARG_DATUM(1));

    // The organization is the caller's context; without one, only a role that
    // bypasses row-level security may look the service type up by its id.
    std::string org;
    if (auto ctx = mycelium::pg::current_context()) {
        org = ctx->organization_id;
    } else {
        const bool bypass =
            mycelium::pg::guard([] { return superuser() || has_bypassrls_privilege(GetUserId()); });
        if (!bypass)
            throw Error(ErrorKind::NoTenantContext,
                        "validate_custom_fields: needs a tenant context", "",
                        "Call mycelium.authenticate(token) or mycelium.set_context(...) first.");
        org = organization_of(service_type);
    }
    const std::shared_ptr<const CachedService> svc =
        org.empty() ? nullptr : service(org, service_type);
    if (svc == nullptr)
        throw Error(ErrorKind::InvalidParameter, "validate_custom_fields: no service type " +
                                                     service_type + " in this organization");
    const auto problems = svc->validator.validate(values, true, OrganizationReferences(org));

    auto *rsinfo = materialize_problems(fcinfo, !problems.empty());
    for (const auto &p : problems) {
        text *slug = p.field_slug.empty() ? nullptr : mycelium::pg::utf8_to_text(p.field_slug);
        text *code = mycelium::pg::utf8_to_text(p.code);
        text *message = mycelium::pg::utf8_to_text(p.message);
        mycelium::pg::guard([&] {
            Datum values3[3] = {PointerGetDatum(slug), PointerGetDatum(code),
                                PointerGetDatum(message)};
            bool nulls[3] = {slug == nullptr, false, false};
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values3, nulls);
        });
    }
    return Datum(0);
}
