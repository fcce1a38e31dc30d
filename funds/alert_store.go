package funds

// AlertStore keeps fund alerts. (Filled in by the alerts work.)
type AlertStore interface{}
