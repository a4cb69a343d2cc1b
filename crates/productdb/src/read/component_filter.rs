//! The source component condition of a report filter, as CodeChecker 6.29.1
//! applies it: a component is the set of file ids recorded for it in
//! `source_component_files` (computed when the component is saved and when
//! a store adds a file); the virtual "Other" component is every file outside
//! all components (no condition at all while there are no components).

use crate::model::OTHER_COMPONENT;
use crate::sql::Sql;

/// Appends ` AND …` selecting the reports (alias `r`) of the components
/// `names`: by the report's main file; with `any_point` by any file of the
/// bug path too; with `single_origin` (and not `any_point`) CodeChecker's
/// "full report path in component" set, which keeps a report only while no
/// other component file exists besides its main file and path files.
pub(super) fn component_sql(sql: &mut Sql, names: &[String], any_point: bool, single_origin: bool) {
    if names.is_empty() {
        return;
    }
    if !any_point && !single_origin {
        sql.push(" AND ");
        in_components(sql, "r.file_id", names);
        return;
    }
    sql.push(" AND (");
    in_components(sql, "r.file_id", names);
    sql.push(
        " OR EXISTS (SELECT 1 FROM report_path_data_files cpa WHERE cpa.report_id = r.id AND ",
    );
    in_components(sql, "cpa.file_id", names);
    sql.push("))");
    if any_point {
        return;
    }
    // CodeChecker subtracts the reports for which some component file
    // differs from the main file, and those with a path file for which some
    // component file differs from it.
    sql.push(" AND NOT EXISTS (SELECT 1 FROM files cfx WHERE cfx.id <> r.file_id AND ");
    in_components(sql, "cfx.id", names);
    sql.push(
        ") AND NOT EXISTS (SELECT 1 FROM report_path_data_files cpn \
         JOIN files cfy ON cfy.id <> cpn.file_id WHERE cpn.report_id = r.id AND ",
    );
    in_components(sql, "cfy.id", names);
    sql.push(")");
}

/// `(x is a file of one of the components)`.
fn in_components(sql: &mut Sql, x: &str, names: &[String]) {
    let named: Vec<&String> = names.iter().filter(|n| *n != OTHER_COMPONENT).collect();
    let other = names.len() != named.len();
    sql.push("(");
    if !named.is_empty() {
        sql.push(x)
            .push(
                " IN (SELECT scn.file_id FROM source_component_files scn \
                 WHERE scn.source_component_name IN ",
            )
            .bind_list(named)
            .push(")");
        if other {
            sql.push(" OR ");
        }
    }
    if other {
        sql.push("(EXISTS (SELECT 1 FROM source_components sco) AND ")
            .push(x)
            .push(" NOT IN (SELECT sca.file_id FROM source_component_files sca))");
        if names.iter().all(|n| n == OTHER_COMPONENT) {
            // Only "Other" and no component at all: CodeChecker adds no
            // condition.
            sql.push(" OR NOT EXISTS (SELECT 1 FROM source_components scz)");
        }
    }
    sql.push(")");
}
