// mycelium_internal.fold_policy(expr, rel): a policy expression with its
// constant arms folded away, for the policies specialized per kind of context
// (src/sql/code/95_role_policies.sql). It returns the analysed expression
// (pg_node_tree), so that pg_get_expr prints it exactly as it prints the
// stored policy made from that text.
//
// A specialization answers the role tests with true or false and leaves the
// rest in place, so an ADMIN's policy still carries the staff and portal arms
// behind a `false AND`. The planner folds them again on every plan, after
// copying and walking them: a few microseconds on every statement, most of a
// portal user's sub-millisecond read. Folded once here, with the planner's own
// simplification (eval_const_expressions, which leaves STABLE calls and
// sub-selects alone), the stored policy is what the planner would have kept.
#include "pg/boundary.hpp"

#include <string>

#include "core/error.hpp"
#include "pg/text.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/analyze.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

MYCELIUM_FUNCTION(mycelium_fold_policy) {
    using mycelium::core::Error;
    using mycelium::core::ErrorKind;
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    if (PG_ARGISNULL(1))
        throw Error(ErrorKind::InvalidParameter, "fold_policy: the relation is required");
    const std::string expr = mycelium::pg::text_arg_utf8(fcinfo, 0);
    const Oid relid = PG_GETARG_OID(1);
    const char *qualified = mycelium::pg::guard([&] {
        char *relname = get_rel_name(relid);
        if (relname == nullptr)
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                            errmsg("fold_policy: no relation with OID %u", relid),
                            mycelium::pg::errschema()));
        return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), relname);
    });
    // The expression analysed as a policy's is: its columns those of the one
    // relation, its names found on the caller's search_path.
    const std::string sql = "SELECT (" + expr + ") FROM " + qualified;
    Datum folded = mycelium::pg::guard([&] {
        List *parsed = pg_parse_query(sql.c_str());
        if (list_length(parsed) != 1)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("fold_policy: the expression is not one expression"),
                            mycelium::pg::errschema()));
        Query *query = parse_analyze_fixedparams(linitial_node(RawStmt, parsed), sql.c_str(),
                                                 nullptr, 0, nullptr);
        // Anything but one expression over the one relation (text that closes
        // the parenthesis and goes on) is refused.
        if (query->commandType != CMD_SELECT || list_length(query->targetList) != 1 ||
            list_length(query->rtable) != 1 ||
            linitial_node(RangeTblEntry, query->rtable)->relid != relid ||
            query->jointree->quals != nullptr || query->hasAggs || query->hasWindowFuncs ||
            query->hasTargetSRFs || query->groupClause != nullptr || query->havingQual != nullptr ||
            query->sortClause != nullptr || query->distinctClause != nullptr ||
            query->limitCount != nullptr || query->limitOffset != nullptr ||
            query->cteList != nullptr || query->setOperations != nullptr)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("fold_policy: the expression is not one expression"),
                            mycelium::pg::errschema()));
        Node *node = reinterpret_cast<Node *>(linitial_node(TargetEntry, query->targetList)->expr);
        if (exprType(node) != BOOLOID)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("fold_policy: the expression is not boolean"),
                            mycelium::pg::errschema()));
        return CStringGetTextDatum(nodeToString(eval_const_expressions(nullptr, node)));
    });
    PG_RETURN_DATUM(folded);
}
