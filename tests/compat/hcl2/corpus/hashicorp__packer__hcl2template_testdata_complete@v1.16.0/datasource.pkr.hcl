data "amazon-ami" "test" {
  string = "string"
}