module rpcfn

go 1.24

require github.com/aws/aws-lambda-go v1.13.3

replace github.com/aws/aws-lambda-go => ./awslambdago
