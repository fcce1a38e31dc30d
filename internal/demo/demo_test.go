package demo

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/registry"
)

func TestEnterprises_Size(t *testing.T) {
	assert.GreaterOrEqual(t, len(Enterprises()), 250)
}

func TestEnterprises_ValidUniqueUSCCs(t *testing.T) {
	seen := map[registry.USCC]bool{}
	for _, e := range Enterprises() {
		code, err := registry.ParseUSCC(e.USCC)
		require.NoError(t, err, "enterprise %s", e.Name)
		assert.False(t, seen[code], "USCC %s given twice", code)
		seen[code] = true

		assert.Equal(t, district, code.AreaCode(), "USCC %s", code)
		assert.Contains(t, []string{"91", "92"}, e.USCC[:2], "USCC %s", code)
	}
}

func TestEnterprises_CoverChaoyang(t *testing.T) {
	streets := map[string]int{}
	industries := map[registry.Industry]int{}
	for _, e := range Enterprises() {
		streets[e.Street]++
		industries[e.Industry]++
	}

	for _, s := range registry.BeijingAreas().Streets[district] {
		assert.Positive(t, streets[s], "no enterprise in %s", s)
	}
	for _, i := range registry.Industries {
		assert.Positive(t, industries[i], "no enterprise in %s", i)
	}
	// Gyms, beauty salons and training schools are the most common.
	top3 := []registry.Industry{registry.IndustryFitness, registry.IndustryBeauty, registry.IndustryEducation}
	for _, top := range top3 {
		for _, other := range registry.Industries[3:] {
			assert.Greater(t, industries[top], industries[other], "%s should outnumber %s", top, other)
		}
	}
}

func TestEnterprises_Realistic(t *testing.T) {
	names := map[string]bool{}
	statuses := map[registry.Status]int{}
	var aliases int
	for _, e := range Enterprises() {
		assert.False(t, names[e.Name], "name %s given twice", e.Name)
		names[e.Name] = true
		assert.True(t, strings.HasPrefix(e.Name, "北京"), e.Name)
		assert.Equal(t, strings.HasPrefix(e.USCC, "91"), strings.HasSuffix(e.Name, "有限公司"),
			"a company (91) and only a company has a name ending in 有限公司: %s %s", e.USCC, e.Name)
		assert.True(t, strings.HasPrefix(e.RegisteredAddress, "北京市朝阳区"), e.RegisteredAddress)
		assert.NotEmpty(t, e.LegalRepresentative)
		assert.True(t, len(e.Stores) >= 1 && len(e.Stores) <= 3, "%s has %d stores", e.Name, len(e.Stores))
		assert.NotEmpty(t, e.Prepaid.CardTypes, e.Name)
		assert.Positive(t, e.Prepaid.OutstandingBalanceFen, e.Name)
		statuses[e.Status]++
		aliases += len(e.Aliases)
	}

	assert.Positive(t, aliases, "some enterprises have aliases")
	for _, s := range registry.Statuses {
		assert.Positive(t, statuses[s], "no enterprise is %s", s)
	}
	assert.Greater(t, statuses[registry.StatusOperating], len(names)*3/4, "most enterprises are operating")
}

func TestEnterprises_SameEveryTime(t *testing.T) {
	first, second := Enterprises(), Enterprises()
	require.Equal(t, first, second)
}
