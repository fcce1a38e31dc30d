package api

import (
	"html/template"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/chart"
	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// ratesFilters are the query parameters the rates take; they mean what they mean for the
// complaint list.
var ratesFilters = []string{"from", "to", "district"}

// parseRatesQuery refuses any parameter but the rates' own, then reads them as the complaint
// list does.
func (s *server) parseRatesQuery(c *fiber.Ctx) (registry.RatesQuery, error) {
	if _, err := queryParams(c, ratesFilters...); err != nil {
		return registry.RatesQuery{}, err
	}
	q, err := s.parseComplaintQuery(c, false)
	if err != nil {
		return registry.RatesQuery{}, err
	}
	return registry.RatesQuery{District: q.District, From: q.From, To: q.To}, nil
}

func (s *server) complaintRates(c *fiber.Ctx) error {
	q, err := s.parseRatesQuery(c)
	if err != nil {
		return err
	}
	rates, err := s.Registry.ComplaintRates(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(rates)
}

// ratesView is what the rates page shows besides the filter form's values.
type ratesView struct {
	Districts []option
	Rates     *registry.Rates
	// Charts draw each rate by month, in per-mille.
	Charts     []ratesChartView
	Months     []ratesRow
	ByDistrict []ratesRow
	ByIndustry []ratesRow
}

// ratesChartView is one rate's monthly chart with its caption.
type ratesChartView struct {
	Caption string
	SVG     template.HTML
}

// ratesRow is one row of a rates table; Sub marks a street under its district.
type ratesRow struct {
	registry.RateGroup
	Sub bool
}

// ratesInputs names the filter input each query parameter is shown beside.
var ratesInputs = map[string]string{"from": "from", "to": "to", "district": "district"}

func (s *server) ratesPage(c *fiber.Ctx) error {
	form := map[string]string{"from": c.Query("from"), "to": c.Query("to"), "district": c.Query("district")}
	view := &ratesView{Districts: s.districtOptions(form["district"])}
	d := pageData{Title: "投诉办理率", Form: form, Data: view}

	q, err := s.parseRatesQuery(c)
	var rates *registry.Rates
	if err == nil {
		rates, err = s.Registry.ComplaintRates(c.UserContext(), q)
	}
	if err != nil {
		fields, ok := ratesQueryErrors(err)
		if !ok {
			return err
		}
		d.FieldErrors, d.Error = placeErrors(fields, ratesInputs, nil)
		c.Status(http.StatusBadRequest)
		return s.render(c, "rates", d)
	}

	view.fill(rates)
	return s.render(c, "rates", d)
}

// ratesQueryErrors returns the field messages of a refused filter, whether the API layer or
// the registry refused it; false for any other error.
func ratesQueryErrors(err error) ([]errs.FieldError, bool) {
	if fields, ok := queryErrors(err); ok {
		return fields, true
	}
	if errs.Is(err, errs.Invalid) {
		return errs.FieldsOf(err), true
	}
	return nil, false
}

// fill lays the rates out as the page's tables and charts.
func (v *ratesView) fill(r *registry.Rates) {
	v.Rates = r
	v.Months = ratesRows(r.ByMonth)
	v.ByIndustry = ratesRows(r.ByIndustry)
	for _, g := range r.ByDistrict {
		v.ByDistrict = append(v.ByDistrict, ratesRow{RateGroup: g})
		for _, st := range g.Streets {
			v.ByDistrict = append(v.ByDistrict, ratesRow{RateGroup: st, Sub: true})
		}
	}
	if len(r.ByMonth) == 0 {
		return
	}
	pick := []func(registry.RateGroup) registry.Ratio{
		func(g registry.RateGroup) registry.Ratio { return g.Response },
		func(g registry.RateGroup) registry.Ratio { return g.Resolution },
		func(g registry.RateGroup) registry.Ratio { return g.Satisfaction },
	}
	for i, def := range r.Definitions {
		v.Charts = append(v.Charts, ratesChartView{
			Caption: def.Chinese + "（‰，按受理月份；无分母的月份无柱）",
			SVG:     ratesChart(def.Chinese, r.ByMonth, pick[i]),
		})
	}
}

func ratesRows(groups []registry.RateGroup) []ratesRow {
	out := make([]ratesRow, len(groups))
	for i, g := range groups {
		out[i] = ratesRow{RateGroup: g}
	}
	return out
}

// ratesChart draws one rate month by month in per-mille; a month without a denominator has
// no bar.
func ratesChart(name string, months []registry.RateGroup, rate func(registry.RateGroup) registry.Ratio) template.HTML {
	points := make([]chart.Point, len(months))
	for i, m := range months {
		pm, _ := rate(m).PerMille()
		points[i] = chart.Point{Label: m.Key, Value: pm}
	}
	step := (len(months) + 11) / 12
	return chart.Bars(name+"（‰，按受理月份）", points, step)
}
