// Package registry keeps the file of each prepaid-consumption enterprise (一企一档): its
// registration facts, stores and prepaid business, and the summaries the other modules add.
package registry

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"prepaidreg/internal/errs"
)

// Industry is the line of business an enterprise sells prepaid cards in.
type Industry string

// The industries of DESIGN.md.
const (
	IndustryFitness       Industry = "fitness"
	IndustryBeauty        Industry = "beauty"
	IndustryEducation     Industry = "education"
	IndustryCatering      Industry = "catering"
	IndustryLaundry       Industry = "laundry"
	IndustryCarCare       Industry = "car_care"
	IndustryEntertainment Industry = "entertainment"
	IndustryElderlyCare   Industry = "elderly_care"
	IndustryRetail        Industry = "retail"
	IndustryOther         Industry = "other"
)

// Industries lists every industry in display order.
var Industries = []Industry{
	IndustryFitness, IndustryBeauty, IndustryEducation, IndustryCatering, IndustryLaundry,
	IndustryCarCare, IndustryEntertainment, IndustryElderlyCare, IndustryRetail, IndustryOther,
}

var industryLabels = map[Industry]string{
	IndustryFitness:       "健身",
	IndustryBeauty:        "美容美发",
	IndustryEducation:     "教育培训",
	IndustryCatering:      "餐饮",
	IndustryLaundry:       "洗衣",
	IndustryCarCare:       "汽车服务",
	IndustryEntertainment: "休闲娱乐",
	IndustryElderlyCare:   "养老服务",
	IndustryRetail:        "零售",
	IndustryOther:         "其他",
}

// Label returns the industry's Chinese name.
func (i Industry) Label() string { return industryLabels[i] }

// Valid reports whether i is one of Industries.
func (i Industry) Valid() bool { _, ok := industryLabels[i]; return ok }

// Status is an enterprise's operating status.
type Status string

// The operating statuses.
const (
	StatusOperating   Status = "operating"
	StatusSuspended   Status = "suspended"
	StatusClosed      Status = "closed"
	StatusUnreachable Status = "unreachable"
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusOperating, StatusSuspended, StatusClosed, StatusUnreachable}

var statusLabels = map[Status]string{
	StatusOperating:   "正常经营",
	StatusSuspended:   "暂停营业",
	StatusClosed:      "已关闭",
	StatusUnreachable: "无法联系",
}

// Label returns the status's Chinese name.
func (s Status) Label() string { return statusLabels[s] }

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool { _, ok := statusLabels[s]; return ok }

// CardType is a kind of prepaid card an enterprise sells.
type CardType string

// The card types: 不记名卡 (anonymous, at most 1,000 元), 记名卡 (named, at most 5,000 元), and
// course or session packages (课程/次卡).
const (
	CardAnonymous CardType = "anonymous"
	CardNamed     CardType = "named"
	CardSessions  CardType = "sessions"
)

var cardTypeLabels = map[CardType]string{
	CardAnonymous: "不记名卡",
	CardNamed:     "记名卡",
	CardSessions:  "课程/次卡",
}

// CardTypes lists every card type in display order.
var CardTypes = []CardType{CardAnonymous, CardNamed, CardSessions}

// Label returns the card type's Chinese name.
func (c CardType) Label() string { return cardTypeLabels[c] }

// Shop is one of an enterprise's shops or branches (门店).
type Shop struct {
	Name    string `bson:"name" json:"name" validate:"max=100"`
	Address string `bson:"address" json:"address" validate:"required,max=200"`
}

// Prepaid holds the facts of an enterprise's prepaid business.
type Prepaid struct {
	CardTypes []CardType `bson:"card_types" json:"card_types"`
	// OutstandingBalanceFen is the prepaid balance still owed to consumers, as last reported.
	OutstandingBalanceFen int64      `bson:"outstanding_balance_fen" json:"outstanding_balance_fen" validate:"min=0,max=1000000000000"`
	BalanceReportedOn     *time.Time `bson:"balance_reported_on,omitempty" json:"balance_reported_on,omitempty"`
	// SupervisedAccount is the bank and account number of the supervised deposit account.
	SupervisedAccount string `bson:"supervised_account,omitempty" json:"supervised_account,omitempty" validate:"max=100"`
}

// Enterprise is the registration record at the head of an enterprise's file.
type Enterprise struct {
	USCC                USCC      `bson:"_id" json:"uscc"`
	Name                string    `bson:"name" json:"name" validate:"required,max=100"`
	Aliases             []string  `bson:"aliases" json:"aliases" validate:"max=20,dive,max=100"`
	LegalRepresentative string    `bson:"legal_representative" json:"legal_representative" validate:"required,max=50"`
	RegisteredAddress   string    `bson:"registered_address" json:"registered_address" validate:"required,max=200"`
	District            string    `bson:"district" json:"district"`
	Street              string    `bson:"street" json:"street" validate:"required,max=50"`
	Industry            Industry  `bson:"industry" json:"industry"`
	ContactPhone        string    `bson:"contact_phone" json:"contact_phone"`
	Status              Status    `bson:"status" json:"status"`
	Stores              []Shop    `bson:"stores" json:"stores" validate:"max=200,dive"`
	Prepaid             Prepaid   `bson:"prepaid" json:"prepaid"`
	Version             int64     `bson:"version" json:"version"`
	CreatedAt           time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt           time.Time `bson:"updated_at" json:"updated_at"`
}

var phonePattern = regexp.MustCompile(`^[0-9+\-() ]{5,20}$`)

// normalise trims every text field and drops empty and repeated aliases.
func (e *Enterprise) normalise() {
	e.Name = strings.TrimSpace(e.Name)
	e.LegalRepresentative = strings.TrimSpace(e.LegalRepresentative)
	e.RegisteredAddress = strings.TrimSpace(e.RegisteredAddress)
	e.District = strings.TrimSpace(e.District)
	e.Street = strings.TrimSpace(e.Street)
	e.ContactPhone = strings.TrimSpace(e.ContactPhone)
	seen := map[string]bool{e.Name: true}
	aliases := []string{}
	for _, a := range e.Aliases {
		a = strings.TrimSpace(a)
		if a != "" && !seen[a] {
			seen[a] = true
			aliases = append(aliases, a)
		}
	}
	e.Aliases = aliases
	if e.Stores == nil {
		e.Stores = []Shop{}
	}
	for i := range e.Stores {
		e.Stores[i].Name = strings.TrimSpace(e.Stores[i].Name)
		e.Stores[i].Address = strings.TrimSpace(e.Stores[i].Address)
	}
	if e.Prepaid.CardTypes == nil {
		e.Prepaid.CardTypes = []CardType{}
	}
}

// validate checks every field and returns one message per offending field.
func (e *Enterprise) validate(areas *Areas) []errs.FieldError {
	fe := shapeErrors(e)
	bad := func(field, msg string) { fe = append(fe, errs.FieldError{Field: field, Message: msg}) }

	switch {
	case e.District == "":
		bad("district", "请选择所在区 (required)")
	case areas.DistrictName(e.District) == "":
		bad("district", fmt.Sprintf("“%s”不是北京市的区代码（如朝阳区 110105） (unknown district code)", e.District))
	}
	if e.Street != "" && areas.DistrictName(e.District) != "" && !areas.CheckStreet(e.District, e.Street) {
		bad("street", fmt.Sprintf("%s没有名为“%s”的街道或地区 (unknown street for this district)",
			areas.DistrictName(e.District), e.Street))
	}
	if !e.Industry.Valid() {
		bad("industry", "请选择行业：fitness、beauty、education、catering、laundry、car_care、"+
			"entertainment、elderly_care、retail、other 之一 (unknown industry)")
	}
	if !e.Status.Valid() {
		bad("status", "经营状态应为 operating、suspended、closed、unreachable 之一 (unknown status)")
	}
	if e.ContactPhone != "" && !phonePattern.MatchString(e.ContactPhone) {
		bad("contact_phone", "联系电话只能包含数字、空格、+、-、括号，5至20位 (invalid phone number)")
	}
	for i, c := range e.Prepaid.CardTypes {
		if c.Label() == "" {
			bad(fmt.Sprintf("prepaid.card_types[%d]", i),
				"卡类型应为 anonymous、named、sessions 之一 (unknown card type)")
		}
	}
	return fe
}
