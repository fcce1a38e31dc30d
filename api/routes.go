package api

import (
	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/user"
)

// route is one row of the route table: the only place that says who may use what.
type route struct {
	Method  string
	Path    string
	Roles   []user.Role
	Summary string
	// Page marks a console or public web page: signed in by cookie, answered in HTML.
	Page    bool
	handler fiber.Handler
}

var (
	anyone      = []user.Role{user.Public}
	signedIn    = user.Roles
	regulators  = []user.Role{user.Regulator, user.Supervisor}
	supervisors = []user.Role{user.Supervisor}
	readsFirms  = []user.Role{user.Regulator, user.Supervisor, user.Mediator, user.FundOfficer}
	adminsOnly  = []user.Role{user.Admin}
)

// routes is the route table. Every route the app serves is here, with the roles that may use
// it; tests walk this table.
func (s *server) routes() []route {
	return []route{
		{Method: "GET", Path: "/healthz", Roles: anyone, Summary: "Process is up", handler: s.healthz},
		{Method: "GET", Path: "/readyz", Roles: anyone, Summary: "Store is reachable", handler: s.readyz},
		{Method: "GET", Path: "/api/openapi.json", Roles: anyone, Summary: "This API's OpenAPI 3.1 document", handler: s.openAPI},

		{Method: "GET", Path: "/api/v1/me", Roles: signedIn, Summary: "The caller's account", handler: s.me},

		{Method: "POST", Path: "/api/v1/enterprises", Roles: regulators, Summary: "Register an enterprise", handler: s.createEnterprise},
		{Method: "GET", Path: "/api/v1/enterprises", Roles: readsFirms, Summary: "Search enterprises", handler: s.listEnterprises},
		{Method: "GET", Path: "/api/v1/enterprises/:uscc", Roles: readsFirms, Summary: "One enterprise", handler: s.getEnterprise},
		{Method: "PATCH", Path: "/api/v1/enterprises/:uscc", Roles: regulators, Summary: "Change an enterprise (If-Match)", handler: s.patchEnterprise},
		{Method: "GET", Path: "/api/v1/enterprises/:uscc/dossier", Roles: regulators, Summary: "An enterprise's whole file", handler: s.getDossier},
		{Method: "GET", Path: "/api/v1/enterprises/:uscc/dossier.pdf", Roles: regulators, Summary: "An enterprise's file as PDF", handler: s.getDossierPDF},

		{Method: "POST", Path: "/api/v1/complaints", Roles: regulators, Summary: "File one complaint", handler: s.createComplaint},
		{Method: "GET", Path: "/api/v1/complaints", Roles: regulators, Summary: "Search complaints (complainants masked)", handler: s.listComplaints},
		{Method: "GET", Path: "/api/v1/complaints/rates", Roles: regulators, Summary: "Response, resolution and satisfaction rates", handler: s.complaintRates},
		{Method: "GET", Path: "/api/v1/complaints.csv", Roles: regulators, Summary: "Export complaints as CSV (complainants masked)", handler: s.exportComplaintsCSV},
		{Method: "GET", Path: "/api/v1/complaints.xlsx", Roles: regulators, Summary: "Export complaints as xlsx (complainants masked)", handler: s.exportComplaintsXLSX},
		{Method: "POST", Path: "/api/v1/complaints/import", Roles: regulators, Summary: "Import a 12345 export (multipart field file)", handler: s.importComplaints},
		{Method: "GET", Path: "/api/v1/complaints/imports/:id", Roles: regulators, Summary: "An import's progress and report", handler: s.getImport},
		{Method: "GET", Path: "/api/v1/complaints/:id", Roles: regulators, Summary: "One complaint", handler: s.getComplaint},
		{Method: "PATCH", Path: "/api/v1/complaints/:id", Roles: regulators, Summary: "Correct a complaint's category (If-Match)", handler: s.patchComplaint},
		{Method: "POST", Path: "/api/v1/complaints/:id/link", Roles: regulators, Summary: "Link a complaint to an enterprise", handler: s.linkComplaint},

		{Method: "GET", Path: "/api/v1/enterprises/:uscc/risk", Roles: regulators, Summary: "Current risk assessment", handler: s.getRisk},
		{Method: "GET", Path: "/api/v1/enterprises/:uscc/risk/history", Roles: regulators, Summary: "Risk assessments, newest first", handler: s.getRiskHistory},
		{Method: "GET", Path: "/api/v1/settings/risk-model", Roles: signedIn, Summary: "The risk model in force", handler: s.getRiskModel},
		{Method: "PUT", Path: "/api/v1/settings/risk-model", Roles: adminsOnly, Summary: "Record a new risk model version (If-Match)", handler: s.putRiskModel},

		{Method: "GET", Path: "/api/v1/warnings", Roles: regulators, Summary: "Early-warning queue", handler: s.listWarnings},
		{Method: "GET", Path: "/api/v1/warnings/:id", Roles: regulators, Summary: "One warning with its evidence", handler: s.getWarning},
		{Method: "POST", Path: "/api/v1/warnings/:id/acknowledge", Roles: regulators, Summary: "Acknowledge a warning", handler: s.acknowledgeWarning},
		{Method: "POST", Path: "/api/v1/warnings/:id/handle", Roles: regulators, Summary: "Mark a warning handled", handler: s.handleWarning},
		{Method: "POST", Path: "/api/v1/warnings/:id/dismiss", Roles: regulators, Summary: "Dismiss a warning with a reason", handler: s.dismissWarning},

		{Method: "POST", Path: "/api/v1/list-entries", Roles: regulators, Summary: "Propose a grey or black list entry", handler: s.proposeEntry},
		{Method: "GET", Path: "/api/v1/list-entries", Roles: regulators, Summary: "List entries by state and kind", handler: s.listEntries},
		{Method: "GET", Path: "/api/v1/list-entries/:id", Roles: regulators, Summary: "One entry with its whole history", handler: s.getEntry},
		{Method: "POST", Path: "/api/v1/list-entries/:id/approve", Roles: supervisors, Summary: "Approve and publish (not the proposer)", handler: s.approveEntry},
		{Method: "POST", Path: "/api/v1/list-entries/:id/reject", Roles: supervisors, Summary: "Reject a proposal (not the proposer)", handler: s.rejectEntry},
		{Method: "POST", Path: "/api/v1/list-entries/:id/withdraw", Roles: regulators, Summary: "Withdraw one's own proposal", handler: s.withdrawEntry},
		{Method: "POST", Path: "/api/v1/list-entries/:id/removal", Roles: regulators, Summary: "Propose removal", handler: s.proposeRemoval},
		{Method: "POST", Path: "/api/v1/list-entries/:id/removal/approve", Roles: supervisors, Summary: "Approve removal (not the proposer)", handler: s.approveRemoval},
		{Method: "POST", Path: "/api/v1/list-entries/:id/removal/reject", Roles: supervisors, Summary: "Reject removal (not the proposer)", handler: s.rejectRemoval},
		{Method: "POST", Path: "/api/v1/list-entries/:id/objections", Roles: regulators, Summary: "Record an enterprise's objection", handler: s.recordObjection},
		{Method: "POST", Path: "/api/v1/list-entries/:id/objections/:oid/decide", Roles: supervisors, Summary: "Decide an objection", handler: s.decideObjection},

		{Method: "GET", Path: "/api/v1/public/lists", Roles: anyone, Summary: "Search the published lists", handler: s.publicSearch},
		{Method: "GET", Path: "/api/v1/public/lists.csv", Roles: anyone, Summary: "The whole published list as CSV", handler: s.publicCSV},
		{Method: "GET", Path: "/api/v1/public/lists/:id", Roles: anyone, Summary: "One published entry", handler: s.publicEntry},

		{Method: "GET", Path: "/api/v1/users", Roles: adminsOnly, Summary: "List accounts", handler: s.listUsers},
		{Method: "POST", Path: "/api/v1/users", Roles: adminsOnly, Summary: "Create an account", handler: s.createUser},
		{Method: "POST", Path: "/api/v1/users/:username/disable", Roles: adminsOnly, Summary: "Disable an account", handler: s.disableUser},
		{Method: "POST", Path: "/api/v1/users/:username/token", Roles: adminsOnly, Summary: "Issue a new API token", handler: s.newUserToken},
		{Method: "GET", Path: "/api/v1/settings/complaint-mapping", Roles: adminsOnly, Summary: "Column mapping of 12345 exports", handler: s.getColumnMapping},
		{Method: "PUT", Path: "/api/v1/settings/complaint-mapping", Roles: adminsOnly, Summary: "Change the column mapping (If-Match)", handler: s.putColumnMapping},
		{Method: "GET", Path: "/api/v1/audit", Roles: adminsOnly, Summary: "Page through the audit trail", handler: s.listAudit},
		{Method: "GET", Path: "/api/v1/audit/verify", Roles: adminsOnly, Summary: "Check the audit trail is intact", handler: s.verifyAudit},

		{Method: "GET", Path: "/", Roles: anyone, Page: true, Summary: "Public start page", handler: s.home},
		{Method: "GET", Path: "/console/login", Roles: anyone, Page: true, Summary: "Sign-in page", handler: s.loginPage},
		{Method: "POST", Path: "/console/login", Roles: anyone, Page: true, Summary: "Sign in", handler: s.login},
		{Method: "POST", Path: "/console/logout", Roles: signedIn, Page: true, Summary: "Sign out", handler: s.logout},
		{Method: "GET", Path: "/console", Roles: signedIn, Page: true, Summary: "Console start page", handler: s.consoleHome},
		{Method: "GET", Path: "/console/enterprises", Roles: readsFirms, Page: true, Summary: "Enterprise list", handler: s.enterprisesPage},
		{Method: "GET", Path: "/console/enterprises/new", Roles: regulators, Page: true, Summary: "Register form", handler: s.newEnterprisePage},
		{Method: "POST", Path: "/console/enterprises", Roles: regulators, Page: true, Summary: "Register from the form", handler: s.createEnterpriseForm},
		{Method: "GET", Path: "/console/enterprises/:uscc", Roles: regulators, Page: true, Summary: "Dossier page", handler: s.dossierPage},
		{Method: "GET", Path: "/console/enterprises/:uscc/edit", Roles: regulators, Page: true, Summary: "Edit form", handler: s.editEnterprisePage},
		{Method: "POST", Path: "/console/enterprises/:uscc", Roles: regulators, Page: true, Summary: "Save the edit form", handler: s.updateEnterpriseForm},
		{Method: "GET", Path: "/console/complaints", Roles: regulators, Page: true, Summary: "Complaint list and unlinked queue", handler: s.complaintsPage},
		{Method: "GET", Path: "/console/complaints/import", Roles: regulators, Page: true, Summary: "Upload form for 12345 exports", handler: s.importPage},
		{Method: "POST", Path: "/console/complaints/import", Roles: regulators, Page: true, Summary: "Start an import from the form", handler: s.importForm},
		{Method: "GET", Path: "/console/complaints/imports/:id", Roles: regulators, Page: true, Summary: "An import's report", handler: s.importReportPage},
		{Method: "GET", Path: "/console/complaints/rates", Roles: regulators, Page: true, Summary: "Handling rates", handler: s.ratesPage},
		{Method: "GET", Path: "/console/complaints/:id", Roles: regulators, Page: true, Summary: "One complaint", handler: s.complaintPage},
		{Method: "POST", Path: "/console/complaints/:id/link", Roles: regulators, Page: true, Summary: "Link a complaint by hand", handler: s.linkComplaintForm},
		{Method: "POST", Path: "/console/complaints/:id/category", Roles: regulators, Page: true, Summary: "Correct a complaint's category", handler: s.correctCategoryForm},
		{Method: "GET", Path: "/lists/black", Roles: anyone, Page: true, Summary: "The black list", handler: s.blackListPage},
		{Method: "GET", Path: "/lists/grey", Roles: anyone, Page: true, Summary: "The grey list", handler: s.greyListPage},
		{Method: "GET", Path: "/lists/entries/:id", Roles: anyone, Page: true, Summary: "One published entry", handler: s.entryPage},
		{Method: "GET", Path: "/lists/entries/:id/notice.pdf", Roles: anyone, Page: true, Summary: "Publication notice PDF", handler: s.noticePDF},
		{Method: "GET", Path: "/console/warnings", Roles: regulators, Page: true, Summary: "Warnings queue", handler: s.warningsPage},
		{Method: "POST", Path: "/console/warnings/:id", Roles: regulators, Page: true, Summary: "Acknowledge, handle or dismiss", handler: s.warningForm},
		{Method: "GET", Path: "/console/list-entries", Roles: regulators, Page: true, Summary: "Decisions awaiting approval and all entries", handler: s.entriesPage},
		{Method: "GET", Path: "/console/list-entries/new", Roles: regulators, Page: true, Summary: "Proposal form", handler: s.newEntryPage},
		{Method: "POST", Path: "/console/list-entries", Roles: regulators, Page: true, Summary: "Propose from the form", handler: s.proposeEntryForm},
		{Method: "GET", Path: "/console/list-entries/:id", Roles: regulators, Page: true, Summary: "Entry with its history", handler: s.entryConsolePage},
		{Method: "POST", Path: "/console/list-entries/:id/:action", Roles: regulators, Page: true, Summary: "Approve, reject, withdraw, removal", handler: s.entryActionForm},
		{Method: "GET", Path: "/static/*", Roles: anyone, Page: true, Summary: "Style sheet and images", handler: s.static},
	}
}

// RouteInfo describes one route of the table, for tests and documentation.
type RouteInfo struct {
	Method string
	Path   string
	Roles  []user.Role
	Page   bool
}

// RouteTable returns the route table without its handlers.
func RouteTable() []RouteInfo {
	var s server
	var out []RouteInfo
	for _, r := range s.routes() {
		out = append(out, RouteInfo{Method: r.Method, Path: r.Path, Roles: r.Roles, Page: r.Page})
	}
	return out
}
