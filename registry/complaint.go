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
