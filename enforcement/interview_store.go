package enforcement

// InterviewStore keeps interviews and campaigns. (Filled in by the interviews work.)
type InterviewStore interface{}

// OfficialStore keeps officials. (Filled in by the interviews work.)
type OfficialStore interface{}
