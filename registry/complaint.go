package registry

import (
	"time"
)

// Category is what a complaint is about (DESIGN.md, "Complaints").
type Category string

// The complaint categories.
const (
	CategoryRefundRefused    Category = "refund_refused"     // 退费难
	CategoryClosed           Category = "closed_unreachable" // 停业跑路
	CategoryServiceCut       Category = "service_cut"        // 服务缩水
	CategoryFalseAdvertising Category = "false_advertising"  // 虚假宣传
	CategoryUnfairTerms      Category = "unfair_terms"       // 霸王条款
	CategoryPriceRaised      Category = "price_raised"       // 涨价
	CategoryTransfer         Category = "transfer"           // 转让纠纷
	CategoryOther            Category = "other"              // 其他
)

// Categories lists every category in display order.
var Categories = []Category{
	CategoryRefundRefused, CategoryClosed, CategoryServiceCut, CategoryFalseAdvertising,
	CategoryUnfairTerms, CategoryPriceRaised, CategoryTransfer, CategoryOther,
}

var categoryLabels = map[Category]string{
	CategoryRefundRefused:    "退费难",
	CategoryClosed:           "停业跑路",
	CategoryServiceCut:       "服务缩水",
	CategoryFalseAdvertising: "虚假宣传",
	CategoryUnfairTerms:      "霸王条款",
	CategoryPriceRaised:      "涨价",
	CategoryTransfer:         "转让纠纷",
	CategoryOther:            "其他",
}

// Label returns the category's Chinese name.
func (c Category) Label() string { return categoryLabels[c] }

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { _, ok := categoryLabels[c]; return ok }

// Severe reports whether the category counts as severe for risk: refunds refused and
// enterprises closed or unreachable.
func (c Category) Severe() bool { return c == CategoryRefundRefused || c == CategoryClosed }

// CategorySource says where a complaint's category came from.
type CategorySource string

// The category sources.
const (
	CategoryGiven     CategorySource = "hotline"   // mapped from the 12345 system's own category
	CategoryRules     CategorySource = "rules"     // tagged from the text by the rule tagger
	CategoryCorrected CategorySource = "corrected" // set by a regulator
)

// ComplaintInput is one complaint as it arrives, by the API or as a spreadsheet row, before it
// is checked, tagged and linked.
type ComplaintInput struct {
	// Source is the channel, "12345" for the hotline.
	Source string `json:"source"`
	// Ticket is the work-order number (工单编号), unique within the source.
	Ticket           string    `json:"ticket"`
	ReceivedAt       time.Time `json:"received_at"`
	ComplainantName  string    `json:"complainant_name"`
	ComplainantPhone string    `json:"complainant_phone"`
	// ReportedName and ReportedUSCC are the enterprise as the complainant named it.
	ReportedName string `json:"reported_name"`
	ReportedUSCC string `json:"reported_uscc"`
	District     string `json:"district"`
	Street       string `json:"street"`
	Text         string `json:"text"`
	// Category is a category code, or empty to tag the text; HotlineCategory is the 12345
	// system's own category text, mapped when Category is empty.
	Category        Category `json:"category"`
	HotlineCategory string   `json:"hotline_category"`
	AmountFen       int64    `json:"amount_fen"`
	// HandlingStatus and Satisfaction are the hotline's own values (办理状态, 满意度).
	HandlingStatus string `json:"handling_status"`
	Satisfaction   string `json:"satisfaction"`
}

// Handling is a complaint's handling state, normalised from the hotline's 办理状态.
type Handling string

// The handling states.
const (
	HandlingOpen       Handling = "open"       // received, not yet answered
	HandlingResponded  Handling = "responded"  // the enterprise or bureau has answered
	HandlingResolved   Handling = "resolved"   // closed, the demand met
	HandlingUnresolved Handling = "unresolved" // closed, the demand not met
)

// Concluded reports whether the complaint's handling has ended.
func (h Handling) Concluded() bool { return h == HandlingResolved || h == HandlingUnresolved }

// Complaint is one complaint on file. Its id is its source and ticket number, so the same
// work order imported twice is one complaint.
type Complaint struct {
	ID               string    `bson:"_id" json:"id"`
	Source           string    `bson:"source" json:"source"`
	Ticket           string    `bson:"ticket" json:"ticket"`
	ReceivedAt       time.Time `bson:"received_at" json:"received_at"`
	ComplainantName  string    `bson:"complainant_name" json:"complainant_name"`
	ComplainantPhone string    `bson:"complainant_phone" json:"complainant_phone"`
	ReportedName     string    `bson:"reported_name" json:"reported_name"`
	ReportedUSCC     string    `bson:"reported_uscc" json:"reported_uscc"`
	// ReportedKey is the reported name normalised for linking.
	ReportedKey     string         `bson:"reported_key" json:"-"`
	District        string         `bson:"district" json:"district"`
	Street          string         `bson:"street" json:"street"`
	Text            string         `bson:"text" json:"text"`
	Category        Category       `bson:"category" json:"category"`
	CategorySource  CategorySource `bson:"category_source" json:"category_source"`
	HotlineCategory string         `bson:"hotline_category" json:"hotline_category"`
	// TagEvidence lists the phrases the rule tagger matched.
	TagEvidence    []string `bson:"tag_evidence" json:"tag_evidence"`
	AmountFen      int64    `bson:"amount_fen" json:"amount_fen"`
	HandlingStatus string   `bson:"handling_status" json:"handling_status"`
	Handling       Handling `bson:"handling" json:"handling"`
	Satisfaction   string   `bson:"satisfaction" json:"satisfaction"`
	// USCC is the enterprise the complaint is linked to, or empty while it waits in the
	// unlinked queue; LinkedBy says how it was linked.
	USCC      USCC      `bson:"uscc" json:"uscc"`
	LinkedBy  string    `bson:"linked_by" json:"linked_by,omitempty"`
	ImportID  string    `bson:"import_id,omitempty" json:"import_id,omitempty"`
	Version   int64     `bson:"version" json:"version"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt time.Time `bson:"updated_at" json:"updated_at"`
}

// ComplaintID returns the id of a source's ticket.
func ComplaintID(source, ticket string) string { return source + ":" + ticket }

// Masked returns a copy with the complainant's name and phone masked (张*, 138****1234), for
// lists and exports.
func (c Complaint) Masked() Complaint {
	c.ComplainantName = MaskName(c.ComplainantName)
	c.ComplainantPhone = MaskPhone(c.ComplainantPhone)
	return c
}
