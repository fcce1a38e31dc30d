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
		{Method: "GET", Path: "/healthz", Roles: anyone, handler: s.healthz,
			Summary: "Process is up"},
		{Method: "GET", Path: "/readyz", Roles: anyone, handler: s.readyz,
			Summary: "Store is reachable"},
		{Method: "GET", Path: "/api/openapi.json", Roles: anyone, handler: s.openAPI,
			Summary: "This API's OpenAPI 3.1 document"},

		{Method: "GET", Path: "/api/v1/me", Roles: signedIn, handler: s.me,
			Summary: "The caller's account"},

		{Method: "POST", Path: "/api/v1/enterprises", Roles: regulators, handler: s.createEnterprise,
			Summary: "Register an enterprise"},
		{Method: "GET", Path: "/api/v1/enterprises", Roles: readsFirms, handler: s.listEnterprises,
			Summary: "Search enterprises"},
		{Method: "GET", Path: "/api/v1/enterprises/:uscc", Roles: readsFirms, handler: s.getEnterprise,
			Summary: "One enterprise"},
		{Method: "PATCH", Path: "/api/v1/enterprises/:uscc", Roles: regulators, handler: s.patchEnterprise,
			Summary: "Change an enterprise (If-Match)"},
		{Method: "GET", Path: "/api/v1/enterprises/:uscc/dossier", Roles: regulators, handler: s.getDossier,
			Summary: "An enterprise's whole file"},
		{Method: "GET", Path: "/api/v1/enterprises/:uscc/dossier.pdf", Roles: regulators, handler: s.getDossierPDF,
			Summary: "An enterprise's file as PDF"},

		{Method: "POST", Path: "/api/v1/complaints", Roles: regulators, handler: s.createComplaint,
			Summary: "File one complaint"},
		{Method: "GET", Path: "/api/v1/complaints", Roles: regulators, handler: s.listComplaints,
			Summary: "Search complaints (complainants masked)"},
		{Method: "GET", Path: "/api/v1/complaints/rates", Roles: regulators, handler: s.complaintRates,
			Summary: "Response, resolution and satisfaction rates"},
		{Method: "GET", Path: "/api/v1/complaints.csv", Roles: regulators, handler: s.exportComplaintsCSV,
			Summary: "Export complaints as CSV (complainants masked)"},
		{Method: "GET", Path: "/api/v1/complaints.xlsx", Roles: regulators, handler: s.exportComplaintsXLSX,
			Summary: "Export complaints as xlsx (complainants masked)"},
		{Method: "POST", Path: "/api/v1/complaints/import", Roles: regulators, handler: s.importComplaints,
			Summary: "Import a 12345 export (multipart field file)"},
		{Method: "GET", Path: "/api/v1/complaints/imports/:id", Roles: regulators, handler: s.getImport,
			Summary: "An import's progress and report"},
		{Method: "GET", Path: "/api/v1/complaints/:id", Roles: regulators, handler: s.getComplaint,
			Summary: "One complaint"},
		{Method: "PATCH", Path: "/api/v1/complaints/:id", Roles: regulators, handler: s.patchComplaint,
			Summary: "Correct a complaint's category (If-Match)"},
		{Method: "POST", Path: "/api/v1/complaints/:id/link", Roles: regulators, handler: s.linkComplaint,
			Summary: "Link a complaint to an enterprise"},

		{Method: "GET", Path: "/api/v1/enterprises/:uscc/risk", Roles: regulators, handler: s.getRisk,
			Summary: "Current risk assessment"},
		{Method: "GET", Path: "/api/v1/enterprises/:uscc/risk/history", Roles: regulators, handler: s.getRiskHistory,
			Summary: "Risk assessments, newest first"},
		{Method: "GET", Path: "/api/v1/settings/risk-model", Roles: signedIn, handler: s.getRiskModel,
			Summary: "The risk model in force"},
		{Method: "PUT", Path: "/api/v1/settings/risk-model", Roles: adminsOnly, handler: s.putRiskModel,
			Summary: "Record a new risk model version (If-Match)"},

		{Method: "GET", Path: "/api/v1/warnings", Roles: regulators, handler: s.listWarnings,
			Summary: "Early-warning queue"},
		{Method: "GET", Path: "/api/v1/warnings/:id", Roles: regulators, handler: s.getWarning,
			Summary: "One warning with its evidence"},
		{Method: "POST", Path: "/api/v1/warnings/:id/acknowledge", Roles: regulators, handler: s.acknowledgeWarning,
			Summary: "Acknowledge a warning"},
		{Method: "POST", Path: "/api/v1/warnings/:id/handle", Roles: regulators, handler: s.handleWarning,
			Summary: "Mark a warning handled"},
		{Method: "POST", Path: "/api/v1/warnings/:id/dismiss", Roles: regulators, handler: s.dismissWarning,
			Summary: "Dismiss a warning with a reason"},

		{Method: "POST", Path: "/api/v1/list-entries", Roles: regulators, handler: s.proposeEntry,
			Summary: "Propose a grey or black list entry"},
		{Method: "GET", Path: "/api/v1/list-entries", Roles: regulators, handler: s.listEntries,
			Summary: "List entries by state and kind"},
		{Method: "GET", Path: "/api/v1/list-entries/:id", Roles: regulators, handler: s.getEntry,
			Summary: "One entry with its whole history"},
		{Method: "POST", Path: "/api/v1/list-entries/:id/approve", Roles: supervisors, handler: s.approveEntry,
			Summary: "Approve and publish (not the proposer)"},
		{Method: "POST", Path: "/api/v1/list-entries/:id/reject", Roles: supervisors, handler: s.rejectEntry,
			Summary: "Reject a proposal (not the proposer)"},
		{Method: "POST", Path: "/api/v1/list-entries/:id/withdraw", Roles: regulators, handler: s.withdrawEntry,
			Summary: "Withdraw one's own proposal"},
		{Method: "POST", Path: "/api/v1/list-entries/:id/removal", Roles: regulators, handler: s.proposeRemoval,
			Summary: "Propose removal"},
		{Method: "POST", Path: "/api/v1/list-entries/:id/removal/approve", Roles: supervisors, handler: s.approveRemoval,
			Summary: "Approve removal (not the proposer)"},
		{Method: "POST", Path: "/api/v1/list-entries/:id/removal/reject", Roles: supervisors, handler: s.rejectRemoval,
			Summary: "Reject removal (not the proposer)"},
		{Method: "POST", Path: "/api/v1/list-entries/:id/objections", Roles: regulators, handler: s.recordObjection,
			Summary: "Record an enterprise's objection"},
		{Method: "POST", Path: "/api/v1/list-entries/:id/objections/:oid/decide", Roles: supervisors, handler: s.decideObjection,
			Summary: "Decide an objection"},

		{Method: "GET", Path: "/api/v1/public/lists", Roles: anyone, handler: s.publicSearch,
			Summary: "Search the published lists"},
		{Method: "GET", Path: "/api/v1/public/lists.csv", Roles: anyone, handler: s.publicCSV,
			Summary: "The whole published list as CSV"},
		{Method: "GET", Path: "/api/v1/public/lists/:id", Roles: anyone, handler: s.publicEntry,
			Summary: "One published entry"},

		{Method: "GET", Path: "/api/v1/users", Roles: adminsOnly, handler: s.listUsers,
			Summary: "List accounts"},
		{Method: "POST", Path: "/api/v1/users", Roles: adminsOnly, handler: s.createUser,
			Summary: "Create an account"},
		{Method: "POST", Path: "/api/v1/users/:username/disable", Roles: adminsOnly, handler: s.disableUser,
			Summary: "Disable an account"},
		{Method: "POST", Path: "/api/v1/users/:username/token", Roles: adminsOnly, handler: s.newUserToken,
			Summary: "Issue a new API token"},
		{Method: "GET", Path: "/api/v1/settings/complaint-mapping", Roles: adminsOnly, handler: s.getColumnMapping,
			Summary: "Column mapping of 12345 exports"},
		{Method: "PUT", Path: "/api/v1/settings/complaint-mapping", Roles: adminsOnly, handler: s.putColumnMapping,
			Summary: "Change the column mapping (If-Match)"},
		{Method: "GET", Path: "/api/v1/settings/workday-calendar", Roles: signedIn, handler: s.getWorkdayCalendar,
			Summary: "The working-day calendar in force (holidays, adjusted working days)"},
		{Method: "PUT", Path: "/api/v1/settings/workday-calendar", Roles: adminsOnly, handler: s.putWorkdayCalendar,
			Summary: "Replace the working-day calendar file (If-Match)"},
		{Method: "GET", Path: "/api/v1/audit", Roles: adminsOnly, handler: s.listAudit,
			Summary: "Page through the audit trail"},
		{Method: "GET", Path: "/api/v1/audit/verify", Roles: adminsOnly, handler: s.verifyAudit,
			Summary: "Check the audit trail is intact"},

		{Method: "GET", Path: "/", Roles: anyone, Page: true, handler: s.home,
			Summary: "Public start page"},
		{Method: "GET", Path: "/console/login", Roles: anyone, Page: true, handler: s.loginPage,
			Summary: "Sign-in page"},
		{Method: "POST", Path: "/console/login", Roles: anyone, Page: true, handler: s.login,
			Summary: "Sign in"},
		{Method: "POST", Path: "/console/logout", Roles: signedIn, Page: true, handler: s.logout,
			Summary: "Sign out"},
		{Method: "GET", Path: "/console", Roles: signedIn, Page: true, handler: s.consoleHome,
			Summary: "Console start page"},
		{Method: "GET", Path: "/console/enterprises", Roles: readsFirms, Page: true, handler: s.enterprisesPage,
			Summary: "Enterprise list"},
		{Method: "GET", Path: "/console/enterprises/new", Roles: regulators, Page: true, handler: s.newEnterprisePage,
			Summary: "Register form"},
		{Method: "POST", Path: "/console/enterprises", Roles: regulators, Page: true, handler: s.createEnterpriseForm,
			Summary: "Register from the form"},
		{Method: "GET", Path: "/console/enterprises/:uscc", Roles: regulators, Page: true, handler: s.dossierPage,
			Summary: "Dossier page"},
		{Method: "GET", Path: "/console/enterprises/:uscc/edit", Roles: regulators, Page: true, handler: s.editEnterprisePage,
			Summary: "Edit form"},
		{Method: "POST", Path: "/console/enterprises/:uscc", Roles: regulators, Page: true, handler: s.updateEnterpriseForm,
			Summary: "Save the edit form"},
		{Method: "GET", Path: "/console/complaints", Roles: regulators, Page: true, handler: s.complaintsPage,
			Summary: "Complaint list and unlinked queue"},
		{Method: "GET", Path: "/console/complaints/import", Roles: regulators, Page: true, handler: s.importPage,
			Summary: "Upload form for 12345 exports"},
		{Method: "POST", Path: "/console/complaints/import", Roles: regulators, Page: true, handler: s.importForm,
			Summary: "Start an import from the form"},
		{Method: "GET", Path: "/console/complaints/imports/:id", Roles: regulators, Page: true, handler: s.importReportPage,
			Summary: "An import's report"},
		{Method: "GET", Path: "/console/complaints/rates", Roles: regulators, Page: true, handler: s.ratesPage,
			Summary: "Handling rates"},
		{Method: "GET", Path: "/console/complaints/:id", Roles: regulators, Page: true, handler: s.complaintPage,
			Summary: "One complaint"},
		{Method: "POST", Path: "/console/complaints/:id/link", Roles: regulators, Page: true, handler: s.linkComplaintForm,
			Summary: "Link a complaint by hand"},
		{Method: "POST", Path: "/console/complaints/:id/category", Roles: regulators, Page: true, handler: s.correctCategoryForm,
			Summary: "Correct a complaint's category"},
		{Method: "GET", Path: "/lists/black", Roles: anyone, Page: true, handler: s.blackListPage,
			Summary: "The black list"},
		{Method: "GET", Path: "/lists/grey", Roles: anyone, Page: true, handler: s.greyListPage,
			Summary: "The grey list"},
		{Method: "GET", Path: "/lists/entries/:id", Roles: anyone, Page: true, handler: s.entryPage,
			Summary: "One published entry"},
		{Method: "GET", Path: "/lists/entries/:id/notice.pdf", Roles: anyone, Page: true, handler: s.noticePDF,
			Summary: "Publication notice PDF"},
		{Method: "GET", Path: "/console/warnings", Roles: regulators, Page: true, handler: s.warningsPage,
			Summary: "Warnings queue"},
		{Method: "POST", Path: "/console/warnings/:id", Roles: regulators, Page: true, handler: s.warningForm,
			Summary: "Acknowledge, handle or dismiss"},
		{Method: "GET", Path: "/console/list-entries", Roles: regulators, Page: true, handler: s.entriesPage,
			Summary: "Decisions awaiting approval and all entries"},
		{Method: "GET", Path: "/console/list-entries/new", Roles: regulators, Page: true, handler: s.newEntryPage,
			Summary: "Proposal form"},
		{Method: "POST", Path: "/console/list-entries", Roles: regulators, Page: true, handler: s.proposeEntryForm,
			Summary: "Propose from the form"},
		{Method: "GET", Path: "/console/list-entries/:id", Roles: regulators, Page: true, handler: s.entryConsolePage,
			Summary: "Entry with its history"},
		{Method: "POST", Path: "/console/list-entries/:id/:action", Roles: regulators, Page: true, handler: s.entryActionForm,
			Summary: "Approve, reject, withdraw, removal"},
		// Interview console pages (enforcement).
		{Method: "GET", Path: "/console/interviews", Roles: regulators, Page: true, handler: s.interviewsPage,
			Summary: "Interview calendar by week or month, by room or official"},
		{Method: "GET", Path: "/console/interviews/new", Roles: regulators, Page: true, handler: s.newInterviewPage,
			Summary: "Schedule form"},
		{Method: "POST", Path: "/console/interviews", Roles: regulators, Page: true, handler: s.scheduleInterviewForm,
			Summary: "Schedule an interview from the form"},
		{Method: "GET", Path: "/console/interviews/reminders", Roles: regulators, Page: true,
			handler: s.interviewRemindersPage, Summary: "Reminders due on a day"},
		{Method: "GET", Path: "/console/interviews/campaigns/new", Roles: regulators, Page: true,
			handler: s.newCampaignPage, Summary: "Campaign planner"},
		{Method: "POST", Path: "/console/interviews/campaigns", Roles: regulators, Page: true,
			handler: s.planCampaignForm, Summary: "Plan a campaign from the planner"},
		{Method: "GET", Path: "/console/interviews/campaigns/:id", Roles: regulators, Page: true,
			handler: s.campaignPage, Summary: "A campaign and its interviews"},
		{Method: "GET", Path: "/console/interviews/:id", Roles: regulators, Page: true, handler: s.interviewConsolePage,
			Summary: "One interview with its history and actions"},
		{Method: "GET", Path: "/console/interviews/:id/reschedule", Roles: regulators, Page: true,
			handler: s.rescheduleInterviewPage, Summary: "Reschedule form"},
		{Method: "POST", Path: "/console/interviews/:id/:action", Roles: regulators, Page: true,
			handler: s.interviewActionForm, Summary: "Notify, reschedule, cancel, hold, no-show, rectification"},
		{Method: "GET", Path: "/console/officials", Roles: regulators, Page: true, handler: s.officialsPage,
			Summary: "Officials who conduct interviews"},
		{Method: "POST", Path: "/console/officials", Roles: regulators, Page: true, handler: s.createOfficialForm,
			Summary: "Add an official"},
		{Method: "POST", Path: "/console/officials/:id/deactivate", Roles: regulators, Page: true,
			handler: s.deactivateOfficialForm, Summary: "Deactivate an official"},
		{Method: "GET", Path: "/static/*", Roles: anyone, Page: true, handler: s.static,
			Summary: "Style sheet and images"},
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
