package enforcement

import "slices"

// Department is a government department that takes part in interviews and joint operations,
// named by a short code.
type Department string

// DepartmentInfo is a department's code and its name on documents.
type DepartmentInfo struct {
	Code Department `json:"code"`
	Name string     `json:"name"`
}

// Departments are the district departments the bureau works with (联合执法). The market
// regulation bureau is the one that leads interviews.
var Departments = []DepartmentInfo{
	{Code: "market", Name: "区市场监督管理局"},
	{Code: "commerce", Name: "区商务局"},
	{Code: "education", Name: "区教育委员会"},
	{Code: "sports", Name: "区体育局"},
	{Code: "culture_tourism", Name: "区文化和旅游局"},
	{Code: "human_resources", Name: "区人力资源和社会保障局"},
	{Code: "public_security", Name: "区公安分局"},
	{Code: "health", Name: "区卫生健康委员会"},
	{Code: "housing", Name: "区住房和城乡建设委员会"},
	{Code: "finance", Name: "区金融服务办公室"},
	{Code: "street_office", Name: "街道办事处（地区办事处）"},
}

// Valid says whether d is one of the known departments.
func (d Department) Valid() bool {
	return slices.ContainsFunc(Departments, func(i DepartmentInfo) bool { return i.Code == d })
}

// Name returns the department's name, or its code when it is unknown.
func (d Department) Name() string {
	for _, i := range Departments {
		if i.Code == d {
			return i.Name
		}
	}
	return string(d)
}
