
variable "images" {
  type    = map(string)
  default = {
    key = "value"
  }
}